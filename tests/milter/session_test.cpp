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
#include "feedback_loop/unsubscribe_token.h"
#include "store/store.h"

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
    std::vector<std::pair<std::string, int>> header_deleted;
    bool change_header(const std::string& name, int, const std::string& value) override {
        changed.emplace_back(name, value);
        return true;
    }
    bool delete_header(const std::string& name, int index) override {
        header_deleted.emplace_back(name, index);
        return true;
    }
};

// End of message as the glue runs it: decide the plan, then apply it.
Verdict finish(Session& session, const MacroSource& macros, MessageEditor& editor) {
    auto plan = session.end_of_message(macros);
    return apply(plan, editor, session.runtime().send_log);
}

class ListLookup final : public RecipientLookup {
  public:
    std::map<std::string, suppression::Scope> suppressed;
    bool unavailable = false;
    std::string unavailable_for;  // only this key's lookup fails
    std::optional<store::Suppression> lookup(const std::string& key) override {
        if (unavailable || key == unavailable_for) {
            throw store::StoreUnavailable("database is locked");
        }
        auto found = suppressed.find(key);
        if (found == suppressed.end()) {
            return std::nullopt;
        }
        store::Suppression entry;
        entry.key = key;
        entry.scope = found->second;
        return entry;
    }
};

class RecordingIntake final : public ReportIntake {
  public:
    std::vector<std::string> taken;
    bool unavailable = false;
    IntakeOutcome outcome{true, "complaint stored, 1 recipient suppressed", ""};
    IntakeOutcome take_in(std::string_view raw) override {
        if (unavailable) {
            throw store::StoreUnavailable("disk full");
        }
        taken.emplace_back(raw);
        return outcome;
    }
};

class SessionTest : public ::testing::Test {
  public:
    ListLookup lookup;
    RecordingIntake intake;
    Macros macros;
    RecordingEditor editor;

    Session start(const std::string& yaml, const std::string& client = "127.0.0.1") {
        return start_from(yaml, {"client.example", client, 40025});
    }

    Session start_from(const std::string& yaml, const Client& client) {
        auto config = std::make_shared<const config::Config>(config::load_string(yaml, "t.yaml"));
        Session session(std::make_shared<const Runtime>(config, &lookup, &intake));
        session.connect(client, macros);
        return session;
    }

    // Mail without {rcpt_mailer} (Postfix's cleanup) that is outgoing loses
    // the suppressed recipient at end of message, never at RCPT.
    void expect_suppressed_recipient_removed_at_eom(Session session) {
        session.mail_from("<app@example.org>", macros);
        EXPECT_EQ(session.rcpt("<gone@example.com>", macros).action, Verdict::Action::proceed);
        session.rcpt("<stays@example.com>", macros);
        session.end_of_headers(macros);
        EXPECT_EQ(finish(session, macros, editor).action, Verdict::Action::accept);
        EXPECT_THAT(editor.deleted, ElementsAre("<gone@example.com>"));
    }

    // One message from the Internet to fbl@example.org; `settings` are more
    // YAML lines under the top level. Returns the end-of-message verdict.
    Verdict send_to_feedback_address(const std::string& feedback, const std::string& settings,
                                     std::string_view body) {
        auto session =
            start("feedback:\n  addresses: [fbl@example.org]\n" + feedback + settings, "192.0.2.9");
        session.mail_from("<arf@provider.example>", macros);
        session.rcpt("<fbl@example.org>", macros);
        session.end_of_headers(macros);
        session.body(body);
        return finish(session, macros, editor);
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

// Issue 14: spellings that do not (or did not) normalise fail closed.
TEST_F(SessionTest, RecipientsThatDoNotNormaliseAreStillLookedUp) {
    lookup.suppressed["plain@example.com"] = suppression::Scope::all;
    lookup.suppressed["odd address@example.com"] = suppression::Scope::all;
    auto session = start("outbound:\n  scope: all\n");
    session.mail_from("<news@example.org>", macros);
    EXPECT_EQ(session.rcpt("<\"plain\"@example.com>", macros).action, Verdict::Action::reject);
    EXPECT_EQ(session.rcpt("<Odd Address@example.com>", macros).action, Verdict::Action::reject);
    EXPECT_EQ(session.rcpt("<\"other\"@example.com>", macros).action, Verdict::Action::proceed);
}

TEST_F(SessionTest, MarketingMailLosesSuppressedRecipientsAtEndOfMessage) {
    lookup.suppressed["gone@example.com"] = suppression::Scope::marketing;
    auto session = start("");
    session.mail_from("<news@example.org>", macros);
    EXPECT_EQ(session.rcpt("<gone@example.com>", macros).action, Verdict::Action::proceed);
    EXPECT_EQ(session.rcpt("<stays@example.com>", macros).action, Verdict::Action::proceed);
    session.header("List-Unsubscribe", "<mailto:unsub@example.org>");
    EXPECT_EQ(session.end_of_headers(macros).action, Verdict::Action::skip_body);
    auto verdict = finish(session, macros, editor);
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
    EXPECT_EQ(finish(session, macros, editor).action, Verdict::Action::accept);
    EXPECT_TRUE(editor.deleted.empty());
}

TEST_F(SessionTest, MarketingMailWithOnlySuppressedRecipientsIsRejected) {
    lookup.suppressed["gone@example.com"] = suppression::Scope::marketing;
    auto session = start("");
    session.mail_from("<news@example.org>", macros);
    session.rcpt("<gone@example.com>", macros);
    session.header("Precedence", "bulk");
    session.end_of_headers(macros);
    auto verdict = finish(session, macros, editor);
    EXPECT_EQ(verdict.action, Verdict::Action::reject);
    EXPECT_EQ(verdict.reply.xcode, "5.7.1");
}

TEST_F(SessionTest, NonSmtpdMailIsRemovedNotRejected) {
    lookup.suppressed["gone@example.com"] = suppression::Scope::all;
    macros.values.erase("{rcpt_mailer}");
    expect_suppressed_recipient_removed_at_eom(start(""));
}

TEST_F(SessionTest, StoreUnavailableAtRcptFollowsTheConfiguredAction) {
    lookup.unavailable = true;
    auto session = start("");
    session.mail_from("<news@example.org>", macros);
    EXPECT_EQ(session.rcpt("<a@example.com>", macros).action, Verdict::Action::tempfail);
    auto open = start("on_error:\n  store_unavailable: accept\n");
    open.mail_from("<news@example.org>", macros);
    EXPECT_EQ(open.rcpt("<a@example.com>", macros).action, Verdict::Action::proceed);
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
    auto verdict = finish(session, macros, editor);
    EXPECT_EQ(verdict.action, Verdict::Action::accept);
    ASSERT_EQ(intake.taken.size(), 1u);
    EXPECT_THAT(intake.taken[0], HasSubstr("Subject: complaint\r\n"));
    EXPECT_THAT(intake.taken[0], HasSubstr("boundary=b\r\n\r\n--b\r\n"));
    ASSERT_EQ(editor.added.size(), 1u);
    EXPECT_EQ(editor.added[0].first, "X-FBL-Result");
}

// The plan is data: a test reads what end of message will do, no editor.
TEST_F(SessionTest, TaggedReportPlansTheSubjectTagAndOurResultHeader) {
    auto session = start(
        "feedback:\n  addresses: [fbl@example.org]\n  disposition: tag\non_error:\n"
        "  internal: accept\n",
        "192.0.2.9");
    session.mail_from("<arf@provider.example>", macros);
    session.rcpt("<fbl@example.org>", macros);
    session.header("Subject", "complaint");
    session.header("X-FBL-Result", "forged");
    session.header("Content-Type", "multipart/report; report-type=feedback-report; boundary=b");
    session.end_of_headers(macros);
    session.body(kReportBody);
    auto plan = session.end_of_message(macros);
    EXPECT_EQ(plan.verdict.action, Verdict::Action::accept);
    EXPECT_EQ(plan.queue_id, "4ABC");
    ASSERT_EQ(plan.header_removals.size(), 1u);
    EXPECT_EQ(plan.header_removals[0].name, "X-FBL-Result");
    ASSERT_EQ(plan.header_changes.size(), 1u);
    EXPECT_EQ(plan.header_changes[0].value, "[fblmilter] complaint");
    ASSERT_EQ(plan.header_additions.size(), 1u);
    EXPECT_EQ(plan.header_additions[0].value, intake.outcome.summary);
    // The report is committed: an edit the MTA refuses must not let the
    // provider think it was lost, nor accept it on on_error.internal.
    EXPECT_EQ(plan.on_edit_failure.action, Verdict::Action::tempfail);
}

TEST_F(SessionTest, MarketingPlanRemovesTheSuppressedAndFollowsOnErrorInternal) {
    lookup.suppressed["gone@example.com"] = suppression::Scope::marketing;
    auto session = start("on_error:\n  internal: reject\n");
    session.mail_from("<news@example.org>", macros);
    session.rcpt("<gone@example.com>", macros);
    session.rcpt("<stays@example.com>", macros);
    session.header("Precedence", "bulk");
    session.end_of_headers(macros);
    auto plan = session.end_of_message(macros);
    EXPECT_EQ(plan.verdict.action, Verdict::Action::accept);
    ASSERT_EQ(plan.recipient_removals.size(), 1u);
    EXPECT_EQ(plan.recipient_removals[0].as_given, "<gone@example.com>");
    EXPECT_EQ(plan.recipient_removals[0].why, RecipientRemoval::Why::suppressed);
    EXPECT_EQ(plan.on_edit_failure.action, Verdict::Action::reject);
}

TEST_F(SessionTest, ReportIsTempfailedWhenTheStoreCannotCommit) {
    intake.unavailable = true;
    auto session = start("feedback:\n  addresses: [fbl@example.org]\n", "192.0.2.9");
    session.mail_from("<arf@provider.example>", macros);
    session.rcpt("<fbl@example.org>", macros);
    session.end_of_headers(macros);
    session.body(kReportBody);
    auto verdict = finish(session, macros, editor);
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
    finish(session, macros, editor);
    EXPECT_EQ(intake.taken.size(), 1u);
}

// Issue 14.9: the provider learns that the report was not taken.
TEST_F(SessionTest, OversizedReportIsRejectedWith552) {
    auto session =
        start("milter:\n  report_size_limit: 1KiB\nfeedback:\n  addresses: [fbl@example.org]\n",
              "192.0.2.9");
    session.mail_from("<arf@provider.example>", macros);
    session.rcpt("<fbl@example.org>", macros);
    session.end_of_headers(macros);
    auto in_body = session.body(std::string(4096, 'x'));
    auto verdict =
        in_body.action == Verdict::Action::reject ? in_body : finish(session, macros, editor);
    EXPECT_EQ(verdict.action, Verdict::Action::reject);
    EXPECT_EQ(verdict.reply.code, "552");
    EXPECT_EQ(verdict.reply.xcode, "5.3.4");
    EXPECT_TRUE(intake.taken.empty());
    EXPECT_TRUE(editor.added.empty());
}

// Issue 14.9: a message that is no report is never discarded: it reaches the
// mailbox with the reason in X-FBL-Result.
TEST_F(SessionTest, NonReportIsDeliveredWithTheReasonEvenWhenReportsAreDiscarded) {
    intake.outcome = {false, "not-a-report; not stored; no feedback-report part", ""};
    EXPECT_EQ(send_to_feedback_address("  disposition: discard\n", "", "hello\r\n").action,
              Verdict::Action::accept);
    ASSERT_EQ(editor.added.size(), 1u);
    EXPECT_EQ(editor.added[0].first, "X-FBL-Result");
    EXPECT_THAT(editor.added[0].second, HasSubstr("no feedback-report part"));
}

TEST_F(SessionTest, NonReportIsRefusedWhenConfiguredToBounce) {
    intake.outcome = {false, "not-a-report; not stored; no feedback-report part", ""};
    auto verdict = send_to_feedback_address("  non_report: bounce\n", "", "hello\r\n");
    EXPECT_EQ(verdict.action, Verdict::Action::reject);
    EXPECT_EQ(verdict.reply.code, "550");
    EXPECT_EQ(verdict.reply.xcode, "5.6.0");
}

// Issue 14.11: a report that is not stored is never acknowledged.
TEST_F(SessionTest, ReportCommitFailureTempfailsWhateverStoreUnavailableSays) {
    intake.unavailable = true;
    auto verdict =
        send_to_feedback_address("", "on_error:\n  store_unavailable: accept\n", kReportBody);
    EXPECT_EQ(verdict.action, Verdict::Action::tempfail);
    EXPECT_EQ(verdict.reply.code, "451");
}

TEST_F(SessionTest, InternalErrorOnAReportTempfailsWhateverInternalSays) {
    auto session = start(
        "feedback:\n  addresses: [fbl@example.org]\non_error:\n  internal: accept\n", "192.0.2.9");
    session.mail_from("<arf@provider.example>", macros);
    session.rcpt("<fbl@example.org>", macros);
    session.end_of_headers(macros);
    session.body(kReportBody);
    EXPECT_EQ(session.internal_error(Stage::end_of_message, "boom").action,
              Verdict::Action::tempfail);
}

// Issue 14.11: fail-open at RCPT lets that recipient through; the message
// goes on, so removals planned for end of message still happen.
TEST_F(SessionTest, FailOpenAtRcptContinuesThatRecipientOnly) {
    lookup.suppressed["gone@example.com"] = suppression::Scope::marketing;
    lookup.unavailable_for = "unknown@example.com";
    auto session = start("on_error:\n  store_unavailable: accept\n");
    session.mail_from("<news@example.org>", macros);
    session.rcpt("<gone@example.com>", macros);
    EXPECT_EQ(session.rcpt("<unknown@example.com>", macros).action, Verdict::Action::proceed);
    session.header("List-Unsubscribe", "<mailto:u@example.org>");
    session.end_of_headers(macros);
    EXPECT_EQ(finish(session, macros, editor).action, Verdict::Action::accept);
    EXPECT_THAT(editor.deleted, ElementsAre("<gone@example.com>"));
}

// An internal error at one RCPT answers that recipient as configured, and
// the removal already planned for another still happens at end of message.
void expect_internal_error_at_rcpt_keeps_the_message(SessionTest& test, Session session,
                                                     Verdict::Action expected) {
    session.mail_from("<news@example.org>", test.macros);
    session.rcpt("<gone@example.com>", test.macros);
    EXPECT_EQ(session.internal_error(Stage::rcpt, "boom").action, expected);
    session.rcpt("<stays@example.com>", test.macros);
    session.header("Precedence", "bulk");
    session.end_of_headers(test.macros);
    finish(session, test.macros, test.editor);
    EXPECT_THAT(test.editor.deleted, ElementsAre("<gone@example.com>"));
}

TEST_F(SessionTest, InternalErrorAtRcptKeepsTheMessage) {
    lookup.suppressed["gone@example.com"] = suppression::Scope::marketing;
    expect_internal_error_at_rcpt_keeps_the_message(*this, start("on_error:\n  internal: accept\n"),
                                                    Verdict::Action::proceed);
}

TEST_F(SessionTest, InternalErrorAtRcptTempfailsThatRecipientAndKeepsTheMessage) {
    lookup.suppressed["gone@example.com"] = suppression::Scope::marketing;
    expect_internal_error_at_rcpt_keeps_the_message(*this, start(""), Verdict::Action::tempfail);
}

// Issue 14.20: our headers, forged by a sender, never reach a reader.
TEST_F(SessionTest, ForgedResultHeadersAreRemovedFromInboundMail) {
    auto session = start("feedback:\n  addresses: [fbl@example.org]\n", "192.0.2.9");
    session.mail_from("<someone@example.net>", macros);
    session.rcpt("<sales@example.org>", macros);
    session.header("X-FBL-Result", "abuse; trusted; 1 recipient(s), 1 suppressed");
    session.header("Subject", "hello");
    session.header("x-fbl-result", "again");
    EXPECT_NE(session.end_of_headers(macros).action, Verdict::Action::accept);
    EXPECT_EQ(finish(session, macros, editor).action, Verdict::Action::accept);
    EXPECT_THAT(editor.header_deleted, ElementsAre(std::pair<std::string, int>("X-FBL-Result", 2),
                                                   std::pair<std::string, int>("X-FBL-Result", 1)));
}

TEST_F(SessionTest, ForgedResultOnAReportIsReplacedByOurs) {
    auto session = start("feedback:\n  addresses: [fbl@example.org]\n", "192.0.2.9");
    session.mail_from("<arf@provider.example>", macros);
    session.rcpt("<fbl@example.org>", macros);
    session.header("X-FBL-Result", "abuse; trusted; forged");
    session.end_of_headers(macros);
    session.body(kReportBody);
    finish(session, macros, editor);
    EXPECT_THAT(editor.header_deleted, ElementsAre(std::pair<std::string, int>("X-FBL-Result", 1)));
    ASSERT_EQ(editor.added.size(), 1u);
    EXPECT_EQ(editor.added[0].second, intake.outcome.summary);
}

TEST_F(SessionTest, ForgedReferenceHeaderIsRemovedFromOutboundMail) {
    auto session = start("");
    session.mail_from("<support@example.org>", macros);
    session.rcpt("<reader@example.com>", macros);
    session.header("X-FBL-Ref", "v1.k1.forged");
    session.header("Subject", "Re: ticket");
    EXPECT_NE(session.end_of_headers(macros).action, Verdict::Action::accept);
    EXPECT_EQ(finish(session, macros, editor).action, Verdict::Action::accept);
    EXPECT_THAT(editor.header_deleted, ElementsAre(std::pair<std::string, int>("X-FBL-Ref", 1)));
}

// Issue 21.2: Postfix's cleanup emulates a connect from localhost/127.0.0.1
// with no port for sendmail(1) mail: outgoing, whatever networks says.
TEST_F(SessionTest, SendmailSubmissionIsOutgoingWithNoNetworks) {
    lookup.suppressed["gone@example.com"] = suppression::Scope::all;
    macros.values.erase("{rcpt_mailer}");
    expect_suppressed_recipient_removed_at_eom(
        start_from("outbound:\n  networks: []\n", {"localhost", "127.0.0.1", 0}));
}

TEST_F(SessionTest, RecipientWithoutRcptMailerMakesTheMessageOutgoing) {
    lookup.suppressed["gone@example.com"] = suppression::Scope::all;
    macros.values.erase("{rcpt_mailer}");
    expect_suppressed_recipient_removed_at_eom(start("outbound:\n  networks: []\n", "192.0.2.9"));
}

// Issue 21.3: a report to a feedback address is a report whatever the
// client; the message's other recipients keep outbound treatment.
TEST_F(SessionTest, ReportFromAnOutboundClientIsTakenIn) {
    lookup.suppressed["gone@example.com"] = suppression::Scope::all;
    auto session = start("feedback:\n  addresses: [fbl@example.org]\n", "127.0.0.1");
    session.mail_from("<relay@example.org>", macros);
    EXPECT_EQ(session.rcpt("<fbl@example.org>", macros).action, Verdict::Action::proceed);
    EXPECT_EQ(session.rcpt("<gone@example.com>", macros).action, Verdict::Action::reject);
    session.header("Subject", "complaint");
    session.header("Content-Type", "multipart/report; report-type=feedback-report; boundary=b");
    EXPECT_EQ(session.end_of_headers(macros).action, Verdict::Action::proceed);
    session.body(kReportBody);
    EXPECT_EQ(finish(session, macros, editor).action, Verdict::Action::accept);
    ASSERT_EQ(intake.taken.size(), 1u);
    EXPECT_THAT(intake.taken[0], HasSubstr("Subject: complaint\r\n"));
    EXPECT_THAT(intake.taken[0], HasSubstr("boundary=b\r\n\r\n--b\r\n"));
}

TEST_F(SessionTest, DiscardedReportLeavesTheOtherRecipientsOfTheMessage) {
    auto session =
        start("feedback:\n  addresses: [fbl@example.org]\n  disposition: discard\n", "127.0.0.1");
    session.mail_from("<relay@example.org>", macros);
    session.rcpt("<fbl@example.org>", macros);
    session.rcpt("<colleague@example.com>", macros);
    session.end_of_headers(macros);
    session.body(kReportBody);
    EXPECT_EQ(finish(session, macros, editor).action, Verdict::Action::accept);
    EXPECT_EQ(intake.taken.size(), 1u);
    EXPECT_THAT(editor.deleted, ElementsAre("<fbl@example.org>"));
}

// Issue 14.12: a reload applies from the next MAIL FROM, also on a
// connection that stays open; the message in flight keeps its config.
class SwitchableRuntime final : public RuntimeSource {
  public:
    std::shared_ptr<const Runtime> runtime;
    std::shared_ptr<const Runtime> current() const override { return runtime; }
};

TEST_F(SessionTest, ReloadAppliesFromTheNextMailFromOnOneConnection) {
    lookup.suppressed["gone@example.com"] = suppression::Scope::marketing;
    auto runtime_for = [&](const std::string& yaml) {
        return std::make_shared<const Runtime>(
            std::make_shared<const config::Config>(config::load_string(yaml, "t.yaml")), &lookup,
            &intake);
    };
    SwitchableRuntime source;
    source.runtime = runtime_for("outbound:\n  scope: marketing\n");
    Session session(source);
    session.connect({"client.example", "127.0.0.1", 40025}, macros);
    session.mail_from("<support@example.org>", macros);
    source.runtime = runtime_for("outbound:\n  scope: all\n");
    EXPECT_EQ(session.rcpt("<gone@example.com>", macros).action, Verdict::Action::proceed);
    session.end_of_headers(macros);
    finish(session, macros, editor);
    session.mail_from("<support@example.org>", macros);
    EXPECT_EQ(session.rcpt("<gone@example.com>", macros).action, Verdict::Action::reject);
    EXPECT_EQ(session.runtime().config->outbound.scope, config::EnforcementScope::all);
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
    finish(session, macros, editor);
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
    std::vector<store::SendRecord> records;
    void record(std::vector<store::SendRecord> batch) override {
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
        session.connect({"client.example", "127.0.0.1", 40025}, macros);
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
    finish(session, macros, editor);

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
    finish(session, macros, editor);

    auto message_id = added("Message-ID");  // none was given: one is added
    ASSERT_FALSE(message_id.empty());
    auto check = feedback_loop::verify_reference(
        added("X-FBL-Ref"), session.runtime().config->feedback.reference_header.keys);
    ASSERT_EQ(check.status, feedback_loop::ReferenceCheck::Status::valid);
    EXPECT_TRUE(check.claims.recipient.empty());
    EXPECT_EQ("<" + check.claims.send_ref + ">", message_id);
    EXPECT_EQ(send_log.records.size(), 2u);
}

TEST_F(AttributionTest, ForgedReferenceIsReplacedByOurs) {
    auto session = start_signing();
    session.mail_from("<news@example.org>", macros);
    session.rcpt("<reader@example.com>", macros);
    session.header("X-FBL-Ref", "v1.k1.forged-for-someone-else");
    session.header("List-Unsubscribe", "<mailto:u@example.org>");
    session.end_of_headers(macros);
    finish(session, macros, editor);
    EXPECT_THAT(editor.header_deleted, ElementsAre(std::pair<std::string, int>("X-FBL-Ref", 1)));
    auto check = feedback_loop::verify_reference(
        added("X-FBL-Ref"), session.runtime().config->feedback.reference_header.keys);
    EXPECT_EQ(check.status, feedback_loop::ReferenceCheck::Status::valid);
}

TEST_F(AttributionTest, PersonalMailIsLeftAlone) {
    auto session = start_signing();
    session.mail_from("<support@example.org>", macros);
    session.rcpt("<a@example.com>", macros);
    session.header("Subject", "Re: ticket");
    EXPECT_EQ(session.end_of_headers(macros).action, Verdict::Action::accept);
    EXPECT_TRUE(send_log.records.empty());
}

// Issue 16: RFC 8058 one-click unsubscribe headers, read from the plan.
class UnsubscribeTest : public AttributionTest {
  protected:
    static constexpr const char* kPublicUrl = "https://fbl.example.com/mail";

    Session start_unsubscribe(const std::string& add_headers, bool enabled = true) {
        auto config = std::make_shared<const config::Config>(config::load_string(
            "feedback:\n  reference_header:\n    keys:\n      - id: k1\n        key_file: " +
                key_file.string() + "\n    active_key: k1\n" + "web:\n  public_url: " + kPublicUrl +
                "/\n" + "unsubscribe:\n  enabled: " + (enabled ? "true" : "false") +
                "\n  add_headers: " + add_headers + "\n",
            "t.yaml"));
        Session session(std::make_shared<const Runtime>(config, &lookup, &intake));
        session.connect({"client.example", "127.0.0.1", 40025}, macros);
        return session;
    }

    // A newsletter (marketing by X-Mailing-ID) to `recipients`, with `headers`.
    MessagePlan newsletter(Session& session, const std::vector<std::string>& recipients,
                           const std::vector<std::pair<std::string, std::string>>& headers = {}) {
        session.mail_from("<news@example.org>", macros);
        for (const auto& recipient : recipients) {
            session.rcpt(recipient, macros);
        }
        session.header("X-Mailing-ID", "dec-2026");
        for (const auto& [name, value] : headers) {
            session.header(name, value);
        }
        EXPECT_EQ(session.end_of_headers(macros).action, Verdict::Action::skip_body);
        return session.end_of_message(macros);
    }

    static std::vector<std::string> values(const MessagePlan& plan, const std::string& name) {
        std::vector<std::string> found;
        for (const auto& addition : plan.header_additions) {
            if (addition.name == name) {
                found.push_back("add " + addition.value);
            }
        }
        for (const auto& change : plan.header_changes) {
            if (change.name == name) {
                found.push_back("change " + std::to_string(change.index) + " " + change.value);
            }
        }
        return found;
    }

    // The token of "<{public_url}/u/{token}>..." or "" when the value is not ours.
    static std::string token_in(const std::string& value) {
        std::string prefix = std::string("<") + kPublicUrl + "/u/";
        if (!value.starts_with(prefix)) {
            return {};
        }
        auto end = value.find('>');
        return value.substr(prefix.size(), end - prefix.size());
    }

    feedback_loop::UnsubscribeCheck verify(const Session& session, const std::string& token) {
        return feedback_loop::verify_unsubscribe(
            token, session.runtime().config->feedback.reference_header.keys, std::chrono::hours(24),
            std::chrono::system_clock::now());
    }
};

TEST_F(UnsubscribeTest, SingleRecipientMarketingGetsBothHeadersAndAVerifiableToken) {
    auto session = start_unsubscribe("missing");
    auto plan = newsletter(session, {"<Reader@Example.com>"});
    auto unsubscribe = values(plan, "List-Unsubscribe");
    ASSERT_EQ(unsubscribe.size(), 1u);
    ASSERT_TRUE(unsubscribe[0].starts_with("add ")) << unsubscribe[0];
    auto value = unsubscribe[0].substr(4);
    EXPECT_EQ(value.back(), '>');
    auto check = verify(session, token_in(value));
    ASSERT_EQ(check.status, feedback_loop::UnsubscribeCheck::Status::valid) << value;
    EXPECT_EQ(check.claims.recipient, "Reader@Example.com");  // as the MTA gave it
    EXPECT_EQ(check.claims.mailing_id, "dec-2026");
    EXPECT_THAT(values(plan, "List-Unsubscribe-Post"),
                ElementsAre("add List-Unsubscribe=One-Click"));
}

TEST_F(UnsubscribeTest, SeveralRecipientsGetNone) {
    auto session = start_unsubscribe("always");
    auto plan = newsletter(session, {"<a@example.com>", "<b@example.com>"});
    EXPECT_TRUE(values(plan, "List-Unsubscribe").empty());
    EXPECT_TRUE(values(plan, "List-Unsubscribe-Post").empty());
}

TEST_F(UnsubscribeTest, OneKeptOfSeveralGetsTheHeadersForThatOne) {
    lookup.suppressed["gone@example.com"] = suppression::Scope::marketing;
    auto session = start_unsubscribe("missing");
    auto plan = newsletter(session, {"<gone@example.com>", "<stays@example.com>"});
    auto unsubscribe = values(plan, "List-Unsubscribe");
    ASSERT_EQ(unsubscribe.size(), 1u);
    EXPECT_EQ(verify(session, token_in(unsubscribe[0].substr(4))).claims.recipient,
              "stays@example.com");
}

TEST_F(UnsubscribeTest, PersonalMailGetsNone) {
    auto session = start_unsubscribe("always");
    session.mail_from("<support@example.org>", macros);
    session.rcpt("<a@example.com>", macros);
    session.header("Subject", "Re: ticket");
    EXPECT_EQ(session.end_of_headers(macros).action, Verdict::Action::accept);
    auto plan = session.end_of_message(macros);
    EXPECT_TRUE(values(plan, "List-Unsubscribe").empty());
    EXPECT_TRUE(values(plan, "List-Unsubscribe-Post").empty());
}

TEST_F(UnsubscribeTest, MissingModeLeavesTheSendersHeaderAlone) {
    auto session = start_unsubscribe("missing");
    auto plan = newsletter(session, {"<reader@example.com>"},
                           {{"List-Unsubscribe", "<https://esp.example/u/1>"}});
    EXPECT_TRUE(values(plan, "List-Unsubscribe").empty());
    EXPECT_TRUE(values(plan, "List-Unsubscribe-Post").empty());
}

TEST_F(UnsubscribeTest, MissingModeTakesOverAStrayPostHeader) {
    auto session = start_unsubscribe("missing");
    auto plan = newsletter(session, {"<reader@example.com>"},
                           {{"List-Unsubscribe-Post", "List-Unsubscribe=One-Click"}});
    ASSERT_EQ(values(plan, "List-Unsubscribe").size(), 1u);
    EXPECT_THAT(values(plan, "List-Unsubscribe-Post"),
                ElementsAre("change 1 List-Unsubscribe=One-Click"));
}

TEST_F(UnsubscribeTest, AlwaysModePutsOursFirstAndKeepsOnlyMailto) {
    auto session = start_unsubscribe("always");
    auto plan = newsletter(
        session, {"<reader@example.com>"},
        {{"List-Unsubscribe", "<https://esp.example/u/1>, <MAILTO:leave@example.org?subject=x>"},
         {"List-Unsubscribe-Post", "List-Unsubscribe=One-Click"}});
    auto unsubscribe = values(plan, "List-Unsubscribe");
    ASSERT_EQ(unsubscribe.size(), 1u);
    ASSERT_TRUE(unsubscribe[0].starts_with("change 1 <")) << unsubscribe[0];
    auto value = unsubscribe[0].substr(9);
    EXPECT_EQ(verify(session, token_in(value)).status,
              feedback_loop::UnsubscribeCheck::Status::valid);
    EXPECT_TRUE(value.ends_with(">, <MAILTO:leave@example.org?subject=x>")) << value;
    EXPECT_THAT(value, Not(HasSubstr("esp.example")));
    EXPECT_THAT(values(plan, "List-Unsubscribe-Post"),
                ElementsAre("change 1 List-Unsubscribe=One-Click"));
}

// The sender writes this header: a hostile one costs one pass, and ours
// carries a few of its entries, not all of them.
TEST_F(UnsubscribeTest, AHostileListUnsubscribeIsReadInOnePassAndBounded) {
    auto session = start_unsubscribe("always");
    std::string many;
    for (int i = 0; i < 100000; ++i) {
        many += "<mailto:u" + std::to_string(i) + "@example.org>, ";
    }
    std::string opens = std::string(4 * 1024 * 1024, '<') + "mailto:x@example.org>";
    for (const auto& existing : {many, opens}) {
        auto plan = newsletter(session, {"<reader@example.com>"}, {{"List-Unsubscribe", existing}});
        auto unsubscribe = values(plan, "List-Unsubscribe");
        ASSERT_EQ(unsubscribe.size(), 1u);
        EXPECT_LT(unsubscribe[0].size(), 1024u);
        EXPECT_THAT(unsubscribe[0], HasSubstr(", <mailto:"));
    }
}

TEST_F(UnsubscribeTest, NeverModeAndDisabledAddNothing) {
    for (auto [mode, enabled] : {std::pair{"never", true}, std::pair{"always", false}}) {
        auto session = start_unsubscribe(mode, enabled);
        auto plan = newsletter(session, {"<reader@example.com>"});
        EXPECT_TRUE(values(plan, "List-Unsubscribe").empty()) << mode;
        EXPECT_TRUE(values(plan, "List-Unsubscribe-Post").empty()) << mode;
        EXPECT_FALSE(values(plan, "X-FBL-Ref").empty()) << "the reference header still goes";
    }
}

}  // namespace
}  // namespace fbl::milter
