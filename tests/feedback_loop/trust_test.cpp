// Issue 7 in the report path: the signed reference header and the send log
// resolve redacted reports; forged or edited reports change nothing.
// Real SQLite store in a private temporary directory.
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "feedback_loop/reference.h"
#include "fixture.h"
#include "intake/intake.h"

namespace fbl::feedback_loop {
namespace {

using intake::Intake;
using intake::IntakeResult;

using test_support::fixture;

const std::string kPlaceholderRef = "v1.k1.YWxpY2VAZXhhbXBsZS5vcmc.sig";

void replace_once(std::string& text, const std::string& from, const std::string& to) {
    auto at = text.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    text.replace(at, from.size(), to);
}

// standard.eml as AOL sends it: no Original-Rcpt-To, To redacted,
// Redacted-Address present; the original carries `reference` (or nothing).
std::string aol_report(const std::string& reference) {
    std::string text = fixture("standard.eml");
    replace_once(text, "Original-Rcpt-To: <Alice.Smith@example.org>\n", "");
    replace_once(text, "Reported-Domain: example.com\n",
                 "Reported-Domain: example.com\nRedacted-Address: redacted@aol.com\n");
    replace_once(text, "To: Alice Smith <Alice.Smith@example.org>", "To: redacted@aol.com");
    replace_once(text, "X-FBL-Ref: " + kPlaceholderRef + "\n",
                 reference.empty() ? "" : "X-FBL-Ref: " + reference + "\n");
    return text;
}

class TrustTest : public ::testing::Test {
  protected:
    void SetUp() override {
        std::string pattern =
            (std::filesystem::temp_directory_path() / "fbl-trust-XXXXXX").string();
        ASSERT_NE(mkdtemp(pattern.data()), nullptr);
        dir_ = pattern;
        config_.store.sqlite.path = (dir_ / "store.db").string();
        config_.feedback = test_support::feedback_settings();
        config_.feedback.trust = config::TrustPolicy::either;
        config_.feedback.reference_header.keys = {old_key_, new_key_};
        config_.feedback.reference_header.active_key = "k2";
        // Never DNS in tests: DKIM keys from an (empty) local file.
        config_.feedback.dkim_key_file = (dir_ / "dkim-keys").string();
        std::ofstream(config_.feedback.dkim_key_file).flush();
        config::CrmAdapter adapter;
        adapter.name = "webhook";
        config_.crm.adapters.push_back(adapter);
        store_ = store::open_store(config_.store);
    }
    void TearDown() override {
        store_.reset();
        std::filesystem::remove_all(dir_);
    }

    IntakeResult take(const std::string& text) { return Intake(config_, *store_).take(text); }

    std::string sign(const std::string& recipient, const std::string& send_ref = "",
                     const config::ReferenceKey* key = nullptr) {
        return sign_at(recipient, send_ref, recent_, key);
    }
    std::string sign_at(const std::string& recipient, const std::string& send_ref,
                        std::int64_t timestamp, const config::ReferenceKey* key = nullptr) {
        ReferenceClaims claims{recipient, send_ref, "spring-sale", timestamp};
        return sign_reference(claims, key ? *key : new_key_);
    }

    // A week ago: well inside the replay window.
    std::int64_t recent_ = std::chrono::duration_cast<std::chrono::seconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count() -
                           7 * 86400;

    void log_send(const std::string& message_id, const std::string& recipient) {
        store::SendRecord send;
        send.message_id = message_id;
        send.recipient_key = recipient;
        send.recipient = recipient;
        send.mailing_id = "from-send-log";
        send.sent_at = std::chrono::system_clock::now();
        store_->record_sends({send});
    }

    store::Complaint only_complaint() {
        auto all = store_->complaints({});
        EXPECT_EQ(all.size(), 1u);
        return all.empty() ? store::Complaint{} : all.front();
    }

    void expect_nothing_changed(const IntakeResult& result) {
        EXPECT_TRUE(result.stored);
        EXPECT_FALSE(result.trusted);
        EXPECT_THAT(result.reason, ::testing::StartsWith("untrusted:"));
        EXPECT_EQ(result.suppressed, 0);
        EXPECT_EQ(result.jobs, 0);
        EXPECT_FALSE(store_->find("alice.smith@example.org"));
        EXPECT_FALSE(store_->find("victim@example.net"));
    }

    config::ReferenceKey old_key_{"k1", config::Secret("old-key-0123456789abcdef", "test")};
    config::ReferenceKey new_key_{"k2", config::Secret("new-key-fedcba9876543210", "test")};
    std::filesystem::path dir_;
    config::Config config_;
    std::unique_ptr<store::Store> store_;
};

TEST_F(TrustTest, RedactedReportResolvedBySignedReference) {
    IntakeResult result = take(aol_report(sign("alice.smith@example.org")));
    EXPECT_TRUE(result.trusted) << result.reason;
    EXPECT_EQ(result.reason, "reference-header k2");
    EXPECT_EQ(result.suppressed, 1);
    EXPECT_EQ(result.jobs, 1);
    auto complaint = only_complaint();
    ASSERT_EQ(complaint.recipients.size(), 1u);
    EXPECT_EQ(complaint.recipients[0].address, "alice.smith@example.org");
    EXPECT_EQ(complaint.recipients[0].evidence, "reference-header");
    EXPECT_EQ(complaint.mailing_id, "spring-sale");  // the signed claim, not X-Mailing-ID
    EXPECT_TRUE(complaint.redacted);
    auto entry = store_->find("alice.smith@example.org");
    ASSERT_TRUE(entry);
    EXPECT_EQ(entry->mailing_id, "spring-sale");
}

TEST_F(TrustTest, RotationOldKeyStillTrusted) {
    IntakeResult result = take(aol_report(sign("alice.smith@example.org", "", &old_key_)));
    EXPECT_TRUE(result.trusted) << result.reason;
    EXPECT_EQ(result.reason, "reference-header k1");
}

TEST_F(TrustTest, TamperedRecipientIsUntrusted) {
    std::string genuine = sign("alice.smith@example.org");
    std::string forged = sign("victim@example.net", "", &old_key_);
    // The attacker's payload with our tag: parts 0,1,3 of genuine, part 2 of forged.
    auto part = [](const std::string& token, int index) {
        std::size_t start = 0;
        for (int i = 0; i < index; ++i) {
            start = token.find('.', start) + 1;
        }
        return token.substr(start, token.find('.', start) - start);
    };
    std::string tampered = "v1.k2." + part(forged, 2) + "." + part(genuine, 3);
    IntakeResult result = take(aol_report(tampered));
    expect_nothing_changed(result);
    EXPECT_EQ(result.reason, "untrusted: reference header bad-tag");
}

TEST_F(TrustTest, UnknownKeyIsUntrusted) {
    config_.feedback.reporter_domains = {"provider.example"};
    config::ReferenceKey stranger{"k9", config::Secret("stranger-key-0123456789", "test")};
    std::string text = fixture("standard.eml");
    replace_once(text, kPlaceholderRef, sign("alice.smith@example.org", "", &stranger));
    IntakeResult result = take(text);
    expect_nothing_changed(result);
    EXPECT_EQ(result.reason, "untrusted: reference header unknown-key");
}

TEST_F(TrustTest, ForgedReportFromUnlistedReporterChangesNothing) {
    std::string text = fixture("standard.eml");
    replace_once(text, "Original-Rcpt-To: <Alice.Smith@example.org>",
                 "Original-Rcpt-To: <victim@example.net>");
    replace_once(text, "X-FBL-Ref: " + kPlaceholderRef + "\n", "");
    IntakeResult result = take(text);
    expect_nothing_changed(result);
    store::ComplaintFilter untrusted;
    untrusted.trusted = false;
    auto stored = store_->complaints(untrusted);
    ASSERT_EQ(stored.size(), 1u);
    EXPECT_THAT(stored[0].trust_reason, ::testing::HasSubstr("no reference header"));
    // A replay counts once.
    EXPECT_TRUE(take(text).duplicate);
    EXPECT_EQ(store_->complaints({}).size(), 1u);
}

TEST_F(TrustTest, ReferenceForAnotherRecipientDoesNotVouch) {
    std::string text = fixture("standard.eml");
    replace_once(text, "Original-Rcpt-To: <Alice.Smith@example.org>",
                 "Original-Rcpt-To: <victim@example.net>");
    replace_once(text, kPlaceholderRef, sign("alice.smith@example.org"));
    expect_nothing_changed(take(text));
}

// Issue 14: fblmilter sees a report before any verifier of ours, so every
// Authentication-Results on it was written by the sender. The fixture's top
// header says "mx.example.com; dkim=pass header.d=fbl.provider.example" over
// a signature that does not verify: nothing changes.
TEST_F(TrustTest, ForgedTopAuthenticationResultsIsNeverBelieved) {
    config_.feedback.trust = config::TrustPolicy::dkim;
    config_.feedback.reporter_domains = {"provider.example"};
    config_.feedback.our_domains = {"example.com"};
    std::string text = fixture("standard.eml");
    replace_once(text, "X-FBL-Ref: " + kPlaceholderRef + "\n", "");
    ASSERT_THAT(text, ::testing::HasSubstr("Authentication-Results: mx.example.com; dkim=pass "
                                           "header.d=fbl.provider.example"));
    IntakeResult result = take(text);
    expect_nothing_changed(result);
    EXPECT_THAT(result.reason, ::testing::Not(::testing::HasSubstr("authentication-results")));

    // Without any signature at all, likewise.
    auto start = text.find("DKIM-Signature:");
    text.erase(start, text.find("Authentication-Results:") - start);
    replace_once(text, "Message-ID: <report-0001@", "Message-ID: <report-0002@");
    expect_nothing_changed(take(text));
}

TEST_F(TrustTest, MultiRecipientReferenceResolvesThroughSendLog) {
    log_send("batch-7@mail.example.com", "alice.smith@example.org");
    log_send("batch-7@mail.example.com", "bob@example.org");
    // Original-Rcpt-To names one of the logged recipients: trusted.
    std::string text = fixture("standard.eml");
    replace_once(text, kPlaceholderRef, sign("", "batch-7@mail.example.com"));
    IntakeResult named = take(text);
    EXPECT_TRUE(named.trusted) << named.reason;
    EXPECT_EQ(named.suppressed, 1);
    EXPECT_TRUE(store_->find("alice.smith@example.org"));
    EXPECT_FALSE(store_->find("bob@example.org"));
}

TEST_F(TrustTest, MultiRecipientWithoutNamedRecipientSuppressesNobody) {
    log_send("batch-7@mail.example.com", "alice.smith@example.org");
    log_send("batch-7@mail.example.com", "bob@example.org");
    IntakeResult result = take(aol_report(sign("", "batch-7@mail.example.com")));
    EXPECT_EQ(result.recipients, 0);
    EXPECT_EQ(result.suppressed, 0);
    EXPECT_EQ(result.jobs, 0);
    auto complaint = only_complaint();
    EXPECT_TRUE(complaint.unresolved);
    EXPECT_THAT(complaint.report_json, ::testing::HasSubstr("2 recipients"));
}

// One copy of a multi-recipient message went to AOL: the placeholder's
// domain (redacted@aol.com) picks the one logged recipient there.
TEST_F(TrustTest, MultiRecipientRedactedDomainPicksTheRecipientThere) {
    log_send("batch-8@mail.example.com", "carol@aol.com");
    log_send("batch-8@mail.example.com", "bob@example.org");
    IntakeResult result = take(aol_report(sign("", "batch-8@mail.example.com")));
    EXPECT_TRUE(result.trusted) << result.reason;
    EXPECT_EQ(result.suppressed, 1);
    EXPECT_TRUE(store_->find("carol@aol.com"));
    EXPECT_FALSE(store_->find("bob@example.org"));
    auto complaint = only_complaint();
    ASSERT_EQ(complaint.recipients.size(), 1u);
    EXPECT_EQ(complaint.recipients[0].evidence, "send-log");
}

TEST_F(TrustTest, MultiRecipientSeveralAtRedactedDomainSuppressesNobody) {
    log_send("batch-9@mail.example.com", "carol@aol.com");
    log_send("batch-9@mail.example.com", "dave@aol.com");
    IntakeResult result = take(aol_report(sign("", "batch-9@mail.example.com")));
    EXPECT_EQ(result.recipients, 0);
    EXPECT_EQ(result.suppressed, 0);
    EXPECT_TRUE(only_complaint().unresolved);
}

TEST_F(TrustTest, SingleRecipientReferenceBySendRef) {
    log_send("solo-1@mail.example.com", "alice.smith@example.org");
    IntakeResult result = take(aol_report(sign("", "solo-1@mail.example.com")));
    EXPECT_TRUE(result.trusted) << result.reason;
    EXPECT_EQ(result.suppressed, 1);
    auto complaint = only_complaint();
    ASSERT_EQ(complaint.recipients.size(), 1u);
    EXPECT_EQ(complaint.recipients[0].evidence, "send-log");
}

TEST_F(TrustTest, OriginalMessageIdResolvesThroughSendLog) {
    config_.feedback.trust = config::TrustPolicy::any;
    log_send("mailing-42.alice@mail.example.com", "alice.smith@example.org");
    IntakeResult result = take(aol_report(""));
    EXPECT_EQ(result.suppressed, 1);
    auto complaint = only_complaint();
    ASSERT_EQ(complaint.recipients.size(), 1u);
    EXPECT_EQ(complaint.recipients[0].address, "alice.smith@example.org");
    EXPECT_EQ(complaint.recipients[0].evidence, "send-log");
}

// Issue 14, "the proof must cover the person": the token names alice; a
// second Original-Rcpt-To line adds bob, whom nothing vouches for.
TEST_F(TrustTest, ReferenceTrustedReportSuppressesOnlyTheVouchedRecipient) {
    std::string text = fixture("standard.eml");
    replace_once(
        text, "Original-Rcpt-To: <Alice.Smith@example.org>\n",
        "Original-Rcpt-To: <Alice.Smith@example.org>\nOriginal-Rcpt-To: <bob@example.org>\n");
    replace_once(text, kPlaceholderRef, sign("alice.smith@example.org"));
    IntakeResult result = take(text);
    EXPECT_TRUE(result.trusted) << result.reason;
    EXPECT_EQ(result.suppressed, 1);
    EXPECT_EQ(result.jobs, 1);
    EXPECT_TRUE(store_->find("alice.smith@example.org"));
    EXPECT_FALSE(store_->find("bob@example.org"));
    auto complaint = only_complaint();
    ASSERT_EQ(complaint.recipients.size(), 1u);
    EXPECT_THAT(complaint.report_json,
                ::testing::HasSubstr("not covered by the trust proof, not suppressed: "
                                     "bob@example.org"));
}

// A multi-recipient send reference proves we sent the message to all of
// them, not that each complained: a report naming several suppresses none.
TEST_F(TrustTest, SendRefReportNamingSeveralLoggedRecipientsSuppressesNobody) {
    for (const char* recipient : {"alice.smith@example.org", "bob@example.org", "cy@example.org"}) {
        log_send("batch-10@mail.example.com", recipient);
    }
    std::string text = fixture("standard.eml");
    replace_once(
        text, "Original-Rcpt-To: <Alice.Smith@example.org>\n",
        "Original-Rcpt-To: <Alice.Smith@example.org>\nOriginal-Rcpt-To: <bob@example.org>\n"
        "Original-Rcpt-To: <cy@example.org>\n");
    replace_once(text, kPlaceholderRef, sign("", "batch-10@mail.example.com"));
    IntakeResult result = take(text);
    expect_nothing_changed(result);
    EXPECT_FALSE(store_->find("bob@example.org"));
    EXPECT_FALSE(store_->find("cy@example.org"));
    EXPECT_THAT(result.reason, ::testing::HasSubstr("not which of them complained"));
}

// Issue 14: one report with 2,000 Original-Rcpt-To lines once suppressed
// 2,000 people. Over max_recipients_per_report it is kept, and changes nothing,
// whatever the trust policy.
TEST_F(TrustTest, ReportOverTheRecipientCapSuppressesNobody) {
    config_.feedback.trust = config::TrustPolicy::any;
    auto with_recipients = [&](int count, const std::string& report_id) {
        std::string many;
        for (int i = 0; i < count; ++i) {
            many += "Original-Rcpt-To: <person" + std::to_string(i) + "@example.net>\n";
        }
        std::string text = fixture("standard.eml");
        replace_once(text, "Original-Rcpt-To: <Alice.Smith@example.org>\n", many);
        replace_once(text, "Message-ID: <report-0001@", "Message-ID: <" + report_id + "@");
        return text;
    };
    IntakeResult result = take(with_recipients(20, "report-0001"));
    EXPECT_TRUE(result.stored);
    EXPECT_FALSE(result.trusted);
    EXPECT_EQ(result.suppressed, 0);
    EXPECT_EQ(result.jobs, 0);
    EXPECT_THAT(result.reason,
                ::testing::HasSubstr("20 recipients, over max_recipients_per_report (5)"));
    EXPECT_FALSE(store_->find("person0@example.net"));
    EXPECT_TRUE(store_->list({}).empty());

    // More than the parser keeps: nobody, whatever the configured cap.
    config_.feedback.max_recipients_per_report = 1000;
    IntakeResult flood = take(with_recipients(2000, "report-0002"));
    EXPECT_EQ(flood.suppressed, 0);
    EXPECT_THAT(flood.reason, ::testing::HasSubstr("more recipients than the parser keeps"));
    EXPECT_TRUE(store_->list({}).empty());

    // At the cap it is taken as before.
    EXPECT_EQ(take(with_recipients(1000, "report-0003")).suppressed, 1000);
}

// Issue 14, replay window: our genuine token from 1970 (or from next year)
// proves nothing; the reason says which.
TEST_F(TrustTest, ReferenceOutsideTheReplayWindowDoesNotTrust) {
    IntakeResult old = take(aol_report(sign_at("alice.smith@example.org", "", 0)));
    expect_nothing_changed(old);
    EXPECT_THAT(old.reason, ::testing::HasSubstr("reference header expired"));

    std::int64_t next_year = recent_ + 365 * 86400;
    std::string future = aol_report(sign_at("alice.smith@example.org", "", next_year));
    replace_once(future, "Message-ID: <report-0001@", "Message-ID: <report-0002@");
    IntakeResult ahead = take(future);
    expect_nothing_changed(ahead);
    EXPECT_THAT(ahead.reason, ::testing::HasSubstr("reference header future"));
}

// Issue 14: the milter signs the normalised key; the report gives the address
// as delivered. Compared as keys, the genuine report is trusted.
TEST_F(TrustTest, ReferenceMatchesTheNormalisedReportedAddress) {
    config_.suppression.subaddress.domains = {"example.com"};
    std::string text = fixture("standard.eml");
    replace_once(text, "Original-Rcpt-To: <Alice.Smith@example.org>",
                 "Original-Rcpt-To: <John.Doe+news@Example.com>");
    replace_once(text, kPlaceholderRef, sign("john.doe@example.com"));
    IntakeResult result = take(text);
    EXPECT_TRUE(result.trusted) << result.reason;
    EXPECT_EQ(result.suppressed, 1);
    EXPECT_TRUE(store_->find("john.doe@example.com"));
}

TEST_F(TrustTest, SendLogAloneDoesNotMakeAReportTrusted) {
    log_send("mailing-42.alice@mail.example.com", "alice.smith@example.org");
    IntakeResult result = take(aol_report(""));
    EXPECT_EQ(result.recipients, 1);
    expect_nothing_changed(result);
}

}  // namespace
}  // namespace fbl::feedback_loop
