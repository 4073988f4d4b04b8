// Intake against a real SQLite store in a private temporary directory.
#include "intake/intake.h"

#include <cstdlib>
#include <filesystem>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "bench/parser/report_inputs.h"
#include "crm/job_payload.h"
#include "feedback_loop/reference.h"
#include "intake/raw_copy.h"
#include "intake/stored_size.h"
#include "tests/feedback_loop/fixture.h"

namespace fbl::intake {
namespace {

using namespace fbl::feedback_loop;

using test_support::fixture;

class IntakeTest : public ::testing::Test {
  protected:
    void SetUp() override {
        std::string pattern =
            (std::filesystem::temp_directory_path() / "fbl-intake-XXXXXX").string();
        ASSERT_NE(mkdtemp(pattern.data()), nullptr);
        dir_ = pattern;
        config_.store.sqlite.path = (dir_ / "store.db").string();
        config_.feedback = test_support::feedback_settings();
        config_.feedback.trust = config::TrustPolicy::any;
        for (const char* name : {"superoffice", "webhook"}) {
            config::CrmAdapter adapter;
            adapter.name = name;
            config_.crm.adapters.push_back(adapter);
        }
        store_ = store::open_store(config_.store);
    }
    void TearDown() override {
        store_.reset();
        std::filesystem::remove_all(dir_);
    }

    IntakeResult take(const std::string& text) { return Intake(config_, *store_).take(text); }

    std::filesystem::path dir_;
    config::Config config_;
    std::unique_ptr<store::Store> store_;
};

TEST_F(IntakeTest, TrustedComplaintSuppressesAndQueuesOneJobPerAdapter) {
    IntakeResult result = take(fixture("standard.eml"));
    EXPECT_EQ(result.kind, ReportKind::complaint);
    EXPECT_TRUE(result.stored);
    EXPECT_FALSE(result.duplicate);
    EXPECT_TRUE(result.trusted);
    EXPECT_EQ(result.recipients, 1);
    EXPECT_EQ(result.suppressed, 1);
    EXPECT_EQ(result.jobs, 2);

    auto entry = store_->find("alice.smith@example.org");
    ASSERT_TRUE(entry);
    EXPECT_EQ(entry->reason, store::Reason::complaint);
    EXPECT_EQ(entry->scope, suppression::Scope::marketing);
    EXPECT_EQ(entry->mailing_id, "november-2026");

    auto complaints = store_->complaints({});
    ASSERT_EQ(complaints.size(), 1u);
    EXPECT_EQ(complaints[0].provider, "fbl.provider.example");
    EXPECT_EQ(complaints[0].original_message_id, "mailing-42.alice@mail.example.com");
    ASSERT_EQ(complaints[0].recipients.size(), 1u);
    EXPECT_EQ(complaints[0].recipients[0].evidence, "original-rcpt-to");
    auto stored_json = nlohmann::json::parse(complaints[0].report_json);
    EXPECT_EQ(stored_json["kind"], "complaint");

    auto jobs = store_->outbox(std::nullopt);
    ASSERT_EQ(jobs.size(), 2u);
    EXPECT_NE(jobs[0].idempotency_key, jobs[1].idempotency_key);
    auto payload = nlohmann::json::parse(jobs[0].payload_json);
    EXPECT_EQ(payload["email"], "Alice.Smith@example.org");  // as reported
    EXPECT_EQ(payload["reason"], "complaint");
    EXPECT_EQ(payload["feedback_type"], "abuse");
    EXPECT_EQ(payload["reported_at"], "2026-11-02T10:15:00Z");
    EXPECT_EQ(payload["mailing_id"], "november-2026");
    EXPECT_EQ(payload["complaint_id"], result.dedup_key);
}

TEST_F(IntakeTest, SameReportTwiceCountsOnce) {
    IntakeResult first = take(fixture("standard.eml"));
    // Redelivered with other line endings and a relay's Received header on top.
    IntakeResult second =
        take("Received: from relay.example by mx.example.com\r\n" + fixture("standard_crlf.eml"));
    EXPECT_FALSE(first.duplicate);
    EXPECT_TRUE(second.duplicate);
    EXPECT_EQ(first.complaint_id, second.complaint_id);
    EXPECT_EQ(first.dedup_key, second.dedup_key);
    EXPECT_EQ(store_->complaints({}).size(), 1u);
    EXPECT_EQ(store_->outbox(std::nullopt).size(), 2u);
    EXPECT_EQ(store_->find("alice.smith@example.org")->count, 1);
}

// Stored complaints carry this key: a redelivery after an upgrade must find
// its first copy, so the spelling never changes.
TEST(DedupKey, IsPinned) {
    FeedbackReport report;
    report.kind = ReportKind::complaint;
    report.feedback_type = "abuse";
    report.report.reporter_domain = "provider.example";
    report.report.message_id = "r1@provider.example";
    report.original.message_id = "m1@sender.example";
    report.original_rcpt_to = {"Reader@Example.NET"};
    EXPECT_EQ(dedup_key(report, ""),
              "66cd2897862e5153a35529cacd946506fd16da89635ccbbac3bc6178a12d880b");
}

TEST_F(IntakeTest, ReportWithoutMessageIdStillDeduplicates) {
    std::string text = fixture("returnpath_extra_fields.eml");  // has no Message-ID
    EXPECT_FALSE(take(text).duplicate);
    EXPECT_TRUE(take("Received: from relay.example\n" + text).duplicate);
    std::string other = text;
    other.replace(other.find("16:03:30"), 8, "16:03:31");
    EXPECT_FALSE(take(other).duplicate);
}

TEST_F(IntakeTest, UntrustedReportIsStoredButChangesNothing) {
    config_.feedback.trust = config::TrustPolicy::either;
    IntakeResult result = take(fixture("standard.eml"));
    EXPECT_TRUE(result.stored);
    EXPECT_FALSE(result.trusted);
    EXPECT_THAT(result.reason, ::testing::StartsWith("untrusted:"));
    EXPECT_EQ(result.suppressed, 0);
    EXPECT_EQ(result.jobs, 0);
    EXPECT_FALSE(store_->find("alice.smith@example.org"));
    store::ComplaintFilter untrusted;
    untrusted.trusted = false;
    EXPECT_EQ(store_->complaints(untrusted).size(), 1u);
}

// Issue 14 item 5: the untrusted report keeps a raw copy for a later
// re-evaluation, up to feedback.untrusted_raw_limit; a trusted one keeps none.
TEST_F(IntakeTest, OnlyAnUntrustedReportKeepsItsRawCopyWithinTheLimit) {
    std::string text = fixture("standard.eml");
    IntakeResult trusted = take(text);
    EXPECT_EQ(store_->raw_report(trusted.complaint_id), "");

    config_.feedback.trust = config::TrustPolicy::either;
    std::string other = text;
    other.replace(other.find("<report-0001@"), 13, "<report-0002@");
    IntakeResult untrusted = take(other);
    ASSERT_FALSE(untrusted.trusted);
    EXPECT_EQ(from_raw_copy(store_->raw_report(untrusted.complaint_id)), other);

    config_.feedback.untrusted_raw_limit = other.size() - 1;
    std::string third = text;
    third.replace(third.find("<report-0001@"), 13, "<report-0003@");
    IntakeResult too_large = take(third);
    ASSERT_FALSE(too_large.trusted);
    EXPECT_EQ(store_->raw_report(too_large.complaint_id), "");
}

// With lowercase_local_part off, Alice.Smith@ is its own mailbox: the report
// must suppress that key. The resolver lower-cased every address, so the
// suppression went to alice.smith@ and Alice.Smith@ was still mailed.
TEST_F(IntakeTest, CasePreservingConfigSuppressesTheAddressAsReported) {
    config_.suppression.lowercase_local_part = false;
    IntakeResult result = take(fixture("standard.eml"));
    ASSERT_TRUE(result.trusted) << result.reason;
    EXPECT_TRUE(store_->find("Alice.Smith@example.org"));
    EXPECT_FALSE(store_->find("alice.smith@example.org"));
}

TEST_F(IntakeTest, UntrustedReportIsStoredWithinTheRowCap) {
    config_.feedback.trust = config::TrustPolicy::reference;
    IntakeResult result = take(bench::report_with_long_header(512 * 1024));
    ASSERT_TRUE(result.stored);
    EXPECT_FALSE(result.trusted);
    auto complaints = store_->complaints({});
    ASSERT_EQ(complaints.size(), 1u);
    const std::string& stored = complaints.front().report_json;
    EXPECT_LE(stored.size(), kMaxStoredJsonBytes);
    auto json = nlohmann::json::parse(stored);
    EXPECT_EQ(json.value("truncated", false), true);
    EXPECT_GT(json.value("bytes", 0u), kMaxStoredJsonBytes);
}

TEST_F(IntakeTest, NotSpamAndAuthFailureAreHistoryOnly) {
    for (const char* name : {"not_spam.eml", "auth_failure_dkim.eml"}) {
        SCOPED_TRACE(name);
        IntakeResult result = take(fixture(name));
        EXPECT_TRUE(result.stored);
        EXPECT_TRUE(result.trusted);  // real trust kept; the kind does not suppress
        EXPECT_EQ(result.suppressed, 0);
        EXPECT_EQ(result.jobs, 0);
    }
    EXPECT_FALSE(store_->find("pat@ns.example"));
    EXPECT_FALSE(store_->find("quinn@receiver.example"));
    EXPECT_EQ(store_->complaints({}).size(), 2u);
}

TEST_F(IntakeTest, UnsubscribeRequestSuppressesWithItsReason) {
    IntakeResult result = take(fixture("unsubscribe_request.eml"));
    EXPECT_EQ(result.kind, ReportKind::unsubscribe);
    EXPECT_EQ(result.suppressed, 1);
    auto entry = store_->find("tina@customer.example");
    ASSERT_TRUE(entry);
    EXPECT_EQ(entry->reason, store::Reason::unsubscribe);
    auto payload = nlohmann::json::parse(store_->outbox(std::nullopt)[0].payload_json);
    EXPECT_EQ(payload["reason"], "unsubscribe");
}

TEST_F(IntakeTest, UnresolvedComplaintIsKeptForReview) {
    IntakeResult result = take(fixture("aol_redacted.eml"));
    EXPECT_TRUE(result.stored);
    EXPECT_EQ(result.recipients, 0);
    EXPECT_EQ(result.suppressed, 0);
    EXPECT_EQ(result.jobs, 0);
    auto complaints = store_->complaints({});
    ASSERT_EQ(complaints.size(), 1u);
    EXPECT_TRUE(complaints[0].unresolved);
    EXPECT_TRUE(complaints[0].redacted);
}

TEST_F(IntakeTest, SeveralRecipientsTimesAdapters) {
    IntakeResult result = take(fixture("several_rcpt_to.eml"));
    EXPECT_EQ(result.suppressed, 4);
    EXPECT_EQ(result.jobs, 8);
}

TEST_F(IntakeTest, ScopeAndExpiryComeFromConfig) {
    config_.suppression.complaint_scope = config::SuppressionScope::all;
    config_.suppression.default_expiry = std::chrono::hours(24 * 30);
    take(fixture("standard.eml"));
    auto entry = store_->find("alice.smith@example.org");
    ASSERT_TRUE(entry);
    EXPECT_EQ(entry->scope, suppression::Scope::all);
    ASSERT_TRUE(entry->expires_at);
    EXPECT_GT(*entry->expires_at, std::chrono::system_clock::now() + std::chrono::hours(24 * 29));
}

TEST_F(IntakeTest, NonReportIsNotStored) {
    IntakeResult result = take(fixture("not_a_report.eml"));
    EXPECT_EQ(result.kind, ReportKind::not_a_report);
    EXPECT_FALSE(result.stored);
    EXPECT_EQ(result.reason, "no feedback report found");
    EXPECT_TRUE(store_->complaints({}).empty());
}

}  // namespace
}  // namespace fbl::intake

namespace fbl::intake {
namespace {

class VouchedEventTest : public IntakeTest {
  protected:
    static VouchedEvent one_click(const std::string& recipient, const std::string& mailing) {
        VouchedEvent event;
        event.channel = store::Channel::one_click;
        event.kind = store::ComplaintKind::unsubscribe;
        event.recipient = recipient;
        event.proof = "one-click token k1";
        event.mailing_id = mailing;
        return event;
    }
    IntakeResult take(const VouchedEvent& event) { return Intake(config_, *store_).take(event); }
};

TEST_F(VouchedEventTest, OneClickUnsubscribeSuppressesMarketingAndQueuesTheRevocations) {
    IntakeResult result = take(one_click("Reader@Example.org", "dec-2026"));
    EXPECT_EQ(result.kind, ReportKind::unsubscribe);
    EXPECT_TRUE(result.stored);
    EXPECT_TRUE(result.trusted);
    EXPECT_EQ(result.suppressed, 1);
    EXPECT_EQ(result.jobs, 2);
    auto entry = store_->find("reader@example.org");
    ASSERT_TRUE(entry);
    EXPECT_EQ(entry->scope, suppression::Scope::marketing);
    EXPECT_EQ(entry->reason, store::Reason::unsubscribe);
    EXPECT_EQ(entry->source, "one-click:" + std::to_string(result.complaint_id));
    EXPECT_EQ(entry->mailing_id, "dec-2026");
    auto complaints = store_->complaints({});
    ASSERT_EQ(complaints.size(), 1u);
    EXPECT_EQ(complaints[0].channel, store::Channel::one_click);
    EXPECT_EQ(complaints[0].kind, store::ComplaintKind::unsubscribe);
    EXPECT_EQ(complaints[0].trust_reason, "one-click token k1");
    auto jobs = store_->outbox(std::nullopt);
    ASSERT_EQ(jobs.size(), 2u);
    auto payload = crm::JobPayload::from_json(jobs[0].payload_json);
    EXPECT_EQ(payload.email, "Reader@Example.org");
    EXPECT_EQ(payload.reason, "unsubscribe");
    EXPECT_EQ(payload.mailing_id, "dec-2026");
}

// Providers POST the same link more than once.
TEST_F(VouchedEventTest, TheSameUnsubscribeTwiceIsTakenOnce) {
    auto first = take(one_click("reader@example.org", "dec-2026"));
    auto second = take(one_click("READER@example.org", "dec-2026"));
    EXPECT_FALSE(first.duplicate);
    EXPECT_TRUE(second.duplicate);
    EXPECT_EQ(second.complaint_id, first.complaint_id);
    EXPECT_EQ(store_->outbox(std::nullopt).size(), 2u);
    EXPECT_EQ(store_->find("reader@example.org")->count, 1);
    // Another mailing is another unsubscribe on record.
    EXPECT_FALSE(take(one_click("reader@example.org", "jan-2027")).duplicate);
}

TEST_F(VouchedEventTest, AWebhookComplaintFollowsComplaintScopeAndItsEventId) {
    config_.suppression.complaint_scope = config::SuppressionScope::all;
    VouchedEvent event;
    event.channel = store::Channel::mailgun;
    event.kind = store::ComplaintKind::complaint;
    event.recipient = "reader@example.org";
    event.proof = "mailgun signature";
    event.provider = "mailgun.com";
    event.event_id = "evt-1";
    event.detail = {{"message-id", "m1@example.org"}};
    auto result = take(event);
    EXPECT_EQ(result.kind, ReportKind::complaint);
    EXPECT_EQ(store_->find("reader@example.org")->scope, suppression::Scope::all);
    EXPECT_EQ(store_->find("reader@example.org")->reason, store::Reason::complaint);
    event.recipient = "other@example.org";  // the same event id is the same event
    EXPECT_TRUE(take(event).duplicate);
    EXPECT_FALSE(store_->find("other@example.org"));
    auto stored = nlohmann::json::parse(store_->complaints({})[0].report_json);
    EXPECT_EQ(stored["detail"]["message-id"], "m1@example.org");
    EXPECT_EQ(stored["channel"], "mailgun");
}

// Attribution, best first: our reference for this very person, then the
// send log by Message-ID, then what the channel says.
TEST_F(VouchedEventTest, TheMailingComesFromOurReferenceThenTheSendLogThenTheChannel) {
    config_.feedback.reference_header.keys = {
        {"k1", config::Secret("0123456789abcdef0123456789abcdef", "test")}};
    feedback_loop::ReferenceClaims claims;
    claims.recipient = "reader@example.org";
    claims.mailing_id = "signed-mailing";
    claims.timestamp = std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
    auto reference =
        feedback_loop::sign_reference(claims, config_.feedback.reference_header.keys[0]);
    store_->record_sends({{"m1@example.org", "reader@example.org", "reader@example.org",
                           "logged-mailing", std::chrono::system_clock::now()},
                          {"m1@example.org", "other@example.org", "other@example.org",
                           "other-mailing", std::chrono::system_clock::now()}});

    auto event = one_click("reader@example.org", "said-mailing");
    event.channel = store::Channel::mailgun;
    event.reference_header = reference;
    event.original_message_id = "<m1@example.org>";
    event.event_id = "a";
    take(event);
    EXPECT_EQ(store_->find("reader@example.org")->mailing_id, "signed-mailing");

    // A reference lifted from someone else's mail attributes nothing.
    auto lifted = event;
    lifted.recipient = "other@example.org";
    lifted.event_id = "b";
    take(lifted);
    EXPECT_EQ(store_->find("other@example.org")->mailing_id, "other-mailing");

    auto unknown = one_click("third@example.org", "said-mailing");
    unknown.original_message_id = "m1@example.org";
    take(unknown);
    EXPECT_EQ(store_->find("third@example.org")->mailing_id, "said-mailing");
}

TEST_F(VouchedEventTest, ARecipientThatDoesNotNormaliseStoresNothing) {
    auto result = take(one_click("not an address", ""));
    EXPECT_FALSE(result.stored);
    EXPECT_THAT(result.reason, ::testing::HasSubstr("does not normalise"));
    EXPECT_TRUE(store_->complaints({}).empty());
    EXPECT_TRUE(store_->outbox(std::nullopt).empty());
}

TEST_F(VouchedEventTest, OnlyComplaintsAndUnsubscribesAreVouchedEvents) {
    auto event = one_click("reader@example.org", "");
    event.kind = store::ComplaintKind::not_spam;
    EXPECT_THROW(take(event), std::invalid_argument);
}

// Reports keep their channel: their suppressions say report:ID as before.
TEST_F(VouchedEventTest, ReportsAreOnTheReportChannel) {
    IntakeResult result = IntakeTest::take(fixture("standard.eml"));
    EXPECT_EQ(store_->complaints({})[0].channel, store::Channel::report);
    EXPECT_EQ(store_->find("alice.smith@example.org")->source,
              "report:" + std::to_string(result.complaint_id));
}

}  // namespace
}  // namespace fbl::intake
