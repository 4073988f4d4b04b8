#include "milter/session.h"

#include <filesystem>
#include <fstream>
#include <map>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "common/log.h"
#include "config/loader.h"
#include "feedback_loop/reference.h"
#include "suppression/store.h"

namespace fbl::milter {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class Macros final : public MacroSource {
  public:
    std::map<std::string, std::string> values{{"{rcpt_mailer}", "smtp"}, {"i", "4ABC"}};
    std::optional<std::string> macro(const char* name) const override {
        auto found = values.find(name);
        return found == values.end() ? std::nullopt : std::optional(found->second);
    }
};

class RecordingEditor final : public MessageEditor {
  public:
    std::vector<std::string> deleted;
    std::vector<std::pair<std::string, std::string>> added;
    std::vector<std::pair<std::string, std::string>> changed;
    bool delete_recipient(const std::string& recipient) override {
        deleted.push_back(recipient);
        return true;
    }
    bool add_header(const std::string& name, const std::string& value) override {
        added.emplace_back(name, value);
        return true;
    }
    bool change_header(const std::string& name, int, const std::string& value) override {
        changed.emplace_back(name, value);
        return true;
    }
};

class ListLookup final : public RecipientLookup {
  public:
    std::map<std::string, suppression::Scope> suppressed;
    bool unavailable = false;
    std::optional<suppression::Suppression> lookup(const std::string& key) override {
        if (unavailable) {
            throw suppression::StoreUnavailable("database is locked");
        }
        auto found = suppressed.find(key);
        if (found == suppressed.end()) {
            return std::nullopt;
        }
        suppression::Suppression entry;
        entry.key = key;
        entry.scope = found->second;
        return entry;
    }
};

class RecordingIntake final : public ReportIntake {
  public:
    std::vector<std::string> taken;
    bool unavailable = false;
    IntakeOutcome take_in(std::string_view raw) override {
        if (unavailable) {
            throw suppression::StoreUnavailable("disk full");
        }
        taken.emplace_back(raw);
        return {true, false, true, 1, "complaint stored, 1 recipient suppressed"};
    }
};

class SessionTest : public ::testing::Test {
  protected:
    ListLookup lookup;
    RecordingIntake intake;
    Macros macros;
    RecordingEditor editor;

    Session start(const std::string& yaml, const std::string& client = "127.0.0.1") {
        auto config = std::make_shared<const config::Config>(config::load_string(yaml, "t.yaml"));
        Session session(std::make_shared<const Runtime>(config, &lookup, &intake));
        session.connect(client, macros);
        return session;
    }
};

TEST_F(SessionTest, ScopeAllRejectsTheSuppressedRecipientOnly) {
    lookup.suppressed["gone@example.com"] = suppression::Scope::marketing;
    auto session = start("outbound:\n  scope: all\n");
    session.mail_from("<news@example.org>", macros);
    auto rejected = session.rcpt("<Gone@Example.com>", macros);
    EXPECT_EQ(rejected.action, Verdict::Action::reject);
    EXPECT_EQ(rejected.reply.code, "550");
    EXPECT_THAT(rejected.reply.text, HasSubstr("Gone@Example.com"));
    EXPECT_EQ(session.rcpt("<stays@example.com>", macros).action, Verdict::Action::proceed);
}

TEST_F(SessionTest, MarketingMailLosesSuppressedRecipientsAtEndOfMessage) {
    lookup.suppressed["gone@example.com"] = suppression::Scope::marketing;
    auto session = start("");
    session.mail_from("<news@example.org>", macros);
    EXPECT_EQ(session.rcpt("<gone@example.com>", macros).action, Verdict::Action::proceed);
    EXPECT_EQ(session.rcpt("<stays@example.com>", macros).action, Verdict::Action::proceed);
    session.header("List-Unsubscribe", "<mailto:unsub@example.org>");
    EXPECT_EQ(session.end_of_headers(macros).action, Verdict::Action::skip_body);
    auto verdict = session.end_of_message(macros, editor);
    EXPECT_EQ(verdict.action, Verdict::Action::accept);
    EXPECT_THAT(editor.deleted, ElementsAre("<gone@example.com>"));
}

TEST_F(SessionTest, PersonalReplyToASuppressedRecipientIsDelivered) {
    lookup.suppressed["gone@example.com"] = suppression::Scope::marketing;
    auto session = start("");
    session.mail_from("<support@example.org>", macros);
    session.rcpt("<gone@example.com>", macros);
    session.header("Subject", "Re: your ticket");
    session.end_of_headers(macros);
    EXPECT_EQ(session.end_of_message(macros, editor).action, Verdict::Action::accept);
    EXPECT_TRUE(editor.deleted.empty());
}

TEST_F(SessionTest, MarketingMailWithOnlySuppressedRecipientsIsRejected) {
    lookup.suppressed["gone@example.com"] = suppression::Scope::marketing;
    auto session = start("");
    session.mail_from("<news@example.org>", macros);
    session.rcpt("<gone@example.com>", macros);
    session.header("Precedence", "bulk");
    session.end_of_headers(macros);
    auto verdict = session.end_of_message(macros, editor);
    EXPECT_EQ(verdict.action, Verdict::Action::reject);
    EXPECT_EQ(verdict.reply.xcode, "5.7.1");
}

TEST_F(SessionTest, NonSmtpdMailIsRemovedNotRejected) {
    lookup.suppressed["gone@example.com"] = suppression::Scope::all;
    macros.values.erase("{rcpt_mailer}");
    auto session = start("");
    session.mail_from("<app@example.org>", macros);
    EXPECT_EQ(session.rcpt("<gone@example.com>", macros).action, Verdict::Action::proceed);
    session.rcpt("<stays@example.com>", macros);
    session.end_of_headers(macros);
    EXPECT_EQ(session.end_of_message(macros, editor).action, Verdict::Action::accept);
    EXPECT_THAT(editor.deleted, ElementsAre("<gone@example.com>"));
}

TEST_F(SessionTest, StoreUnavailableAtRcptFollowsTheConfiguredAction) {
    lookup.unavailable = true;
    auto session = start("");
    session.mail_from("<news@example.org>", macros);
    EXPECT_EQ(session.rcpt("<a@example.com>", macros).action, Verdict::Action::tempfail);
    auto open = start("on_error:\n  store_unavailable: accept\n");
    open.mail_from("<news@example.org>", macros);
    EXPECT_EQ(open.rcpt("<a@example.com>", macros).action, Verdict::Action::accept);
}

TEST_F(SessionTest, InboundMailNotForTheFeedbackAddressIsAcceptedAtEndOfHeaders) {
    auto session = start("feedback:\n  addresses: [fbl@example.org]\n", "192.0.2.9");
    session.mail_from("<someone@example.net>", macros);
    session.rcpt("<sales@example.org>", macros);
    session.header("Subject", "hello");
    EXPECT_EQ(session.end_of_headers(macros).action, Verdict::Action::accept);
}

const char* kReportBody =
    "--b\r\nContent-Type: message/feedback-report\r\n\r\nFeedback-Type: abuse\r\n--b--\r\n";

TEST_F(SessionTest, ReportToTheFeedbackAddressIsTakenInAndTagged) {
    auto session = start("feedback:\n  addresses: [fbl@example.org]\n", "192.0.2.9");
    session.mail_from("<arf@provider.example>", macros);
    session.rcpt("<FBL@example.org>", macros);
    session.header("Subject", "complaint");
    session.header("Content-Type", "multipart/report; report-type=feedback-report; boundary=b");
    EXPECT_EQ(session.end_of_headers(macros).action, Verdict::Action::proceed);
    session.body(kReportBody);
    auto verdict = session.end_of_message(macros, editor);
    EXPECT_EQ(verdict.action, Verdict::Action::accept);
    ASSERT_EQ(intake.taken.size(), 1u);
    EXPECT_THAT(intake.taken[0], HasSubstr("Subject: complaint\r\n"));
    EXPECT_THAT(intake.taken[0], HasSubstr("boundary=b\r\n\r\n--b\r\n"));
    ASSERT_EQ(editor.added.size(), 1u);
    EXPECT_EQ(editor.added[0].first, "X-FBL-Result");
}

TEST_F(SessionTest, ReportIsTempfailedWhenTheStoreCannotCommit) {
    intake.unavailable = true;
    auto session = start("feedback:\n  addresses: [fbl@example.org]\n", "192.0.2.9");
    session.mail_from("<arf@provider.example>", macros);
    session.rcpt("<fbl@example.org>", macros);
    session.end_of_headers(macros);
    session.body(kReportBody);
    auto verdict = session.end_of_message(macros, editor);
    EXPECT_EQ(verdict.action, Verdict::Action::tempfail);
    EXPECT_EQ(verdict.reply.code, "451");
    EXPECT_EQ(verdict.reply.xcode, "4.3.0");
}

TEST_F(SessionTest, ReportDetectedByContentTypeWhenConfigured) {
    auto session = start("feedback:\n  detect_by_content_type: true\n", "192.0.2.9");
    session.mail_from("<arf@provider.example>", macros);
    session.rcpt("<postmaster@example.org>", macros);
    session.header("Content-Type", "multipart/report; report-type=feedback-report; boundary=b");
    EXPECT_EQ(session.end_of_headers(macros).action, Verdict::Action::proceed);
    session.body(kReportBody);
    session.end_of_message(macros, editor);
    EXPECT_EQ(intake.taken.size(), 1u);
}

TEST_F(SessionTest, OversizedReportIsDeliveredUnprocessed) {
    auto session =
        start("milter:\n  report_size_limit: 1KiB\nfeedback:\n  addresses: [fbl@example.org]\n",
              "192.0.2.9");
    session.mail_from("<arf@provider.example>", macros);
    session.rcpt("<fbl@example.org>", macros);
    session.end_of_headers(macros);
    session.body(std::string(4096, 'x'));
    EXPECT_EQ(session.end_of_message(macros, editor).action, Verdict::Action::accept);
    EXPECT_TRUE(intake.taken.empty());
    ASSERT_EQ(editor.added.size(), 1u);
    EXPECT_THAT(editor.added[0].second, HasSubstr("report_size_limit"));
}

TEST_F(SessionTest, AbortForgetsTheMessageButNotTheConnection) {
    lookup.suppressed["gone@example.com"] = suppression::Scope::marketing;
    auto session = start("");
    session.mail_from("<news@example.org>", macros);
    session.rcpt("<gone@example.com>", macros);
    session.abort();
    session.mail_from("<news@example.org>", macros);
    session.rcpt("<stays@example.com>", macros);
    session.header("Precedence", "bulk");
    EXPECT_EQ(session.end_of_headers(macros).action, Verdict::Action::accept);
}

}  // namespace
}  // namespace fbl::milter

namespace fbl::milter {
namespace {

TEST_F(SessionTest, LogLinesCarryTheQueueIdAndHashedAddressesOnly) {
    log::configure(log::Destination::stderr_stream, log::Level::debug, log::PiiMode::hashed);
    lookup.suppressed["gone@example.com"] = suppression::Scope::all;
    auto session = start("logging:\n  pii: hashed\n");
    ::testing::internal::CaptureStderr();
    session.mail_from("<news@example.org>", macros);
    session.rcpt("<gone@example.com>", macros);
    session.rcpt("<stays@example.com>", macros);
    session.end_of_headers(macros);
    session.end_of_message(macros, editor);
    auto logged = ::testing::internal::GetCapturedStderr();
    log::configure(log::Destination::stderr_stream, log::Level::info, log::PiiMode::plain);
    EXPECT_THAT(logged, HasSubstr("4ABC: reject RCPT h:"));
    EXPECT_THAT(logged, Not(HasSubstr("gone@example.com")));
}

}  // namespace
}  // namespace fbl::milter

namespace fbl::milter {
namespace {

class RecordingSendLog final : public SendLog {
  public:
    std::vector<suppression::SendRecord> records;
    void record(std::vector<suppression::SendRecord> batch) override {
        records.insert(records.end(), batch.begin(), batch.end());
    }
};

class AttributionTest : public SessionTest {
  protected:
    RecordingSendLog send_log;
    std::filesystem::path key_file =
        std::filesystem::temp_directory_path() / ("fbl-ref-" + std::to_string(getpid()) + ".key");

    void SetUp() override {
        std::ofstream(key_file) << "0123456789abcdef0123456789abcdef\n";
        std::filesystem::permissions(
            key_file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    }
    void TearDown() override { std::filesystem::remove(key_file); }

    Session start_signing() {
        auto config = std::make_shared<const config::Config>(config::load_string(
            "feedback:\n  reference_header:\n    keys:\n      - id: k1\n        key_file: " +
                key_file.string() + "\n    active_key: k1\n",
            "t.yaml"));
        Session session(std::make_shared<const Runtime>(config, &lookup, &intake, &send_log));
        session.connect("127.0.0.1", macros);
        return session;
    }

    std::string added(const std::string& name) const {
        for (const auto& [header, value] : editor.added) {
            if (header == name) {
                return value;
            }
        }
        return {};
    }
};

TEST_F(AttributionTest, MarketingMailGetsAVerifiableReferenceAndASendRecord) {
    auto session = start_signing();
    session.mail_from("<news@example.org>", macros);
    session.rcpt("<Reader@Example.com>", macros);
    session.header("Message-ID", "<m1@example.org>");
    session.header("X-Mailing-ID", "dec-2026");
    session.header("List-Unsubscribe", "<mailto:u@example.org>");
    EXPECT_EQ(session.end_of_headers(macros).action, Verdict::Action::skip_body);
    session.end_of_message(macros, editor);

    auto check = feedback_loop::verify_reference(
        added("X-FBL-Ref"), session.runtime().config->feedback.reference_header.keys);
    ASSERT_EQ(check.status, feedback_loop::ReferenceCheck::Status::valid);
    EXPECT_EQ(check.claims.recipient, "reader@example.com");
    EXPECT_EQ(check.claims.mailing_id, "dec-2026");
    ASSERT_EQ(send_log.records.size(), 1u);
    EXPECT_EQ(send_log.records[0].message_id, "m1@example.org");
    EXPECT_EQ(send_log.records[0].recipient_key, "reader@example.com");
    EXPECT_EQ(send_log.records[0].mailing_id, "dec-2026");
}

TEST_F(AttributionTest, SeveralRecipientsAreReferencedThroughTheSendLog) {
    auto session = start_signing();
    session.mail_from("<news@example.org>", macros);
    session.rcpt("<a@example.com>", macros);
    session.rcpt("<b@example.com>", macros);
    session.header("Precedence", "bulk");
    session.end_of_headers(macros);
    session.end_of_message(macros, editor);

    auto message_id = added("Message-ID");  // none was given: one is added
    ASSERT_FALSE(message_id.empty());
    auto check = feedback_loop::verify_reference(
        added("X-FBL-Ref"), session.runtime().config->feedback.reference_header.keys);
    ASSERT_EQ(check.status, feedback_loop::ReferenceCheck::Status::valid);
    EXPECT_TRUE(check.claims.recipient.empty());
    EXPECT_EQ("<" + check.claims.send_ref + ">", message_id);
    EXPECT_EQ(send_log.records.size(), 2u);
}

TEST_F(AttributionTest, PersonalMailIsLeftAlone) {
    auto session = start_signing();
    session.mail_from("<support@example.org>", macros);
    session.rcpt("<a@example.com>", macros);
    session.header("Subject", "Re: ticket");
    EXPECT_EQ(session.end_of_headers(macros).action, Verdict::Action::accept);
    EXPECT_TRUE(send_log.records.empty());
}

}  // namespace
}  // namespace fbl::milter
