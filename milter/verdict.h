#pragma once

#include <string>

#include "config/config.h"

// What the milter answers at one protocol stage, without libmilter types:
// policy and session produce these, and callbacks.cpp alone turns them into
// sfsistat values and smfi_setreply calls.
namespace fbl::milter {

struct Reply {
    std::string code;  // "550"; empty = let the MTA choose
    std::string xcode;
    std::string text;
};

struct Verdict {
    enum class Action { proceed, accept, reject, tempfail, discard, skip_body };
    Action action = Action::proceed;
    Reply reply;

    static Verdict proceed() { return {}; }
    static Verdict accept() { return {Action::accept, {}}; }
    static Verdict skip_body() { return {Action::skip_body, {}}; }
    static Verdict discard() { return {Action::discard, {}}; }
    static Verdict reject(Reply reply) { return {Action::reject, std::move(reply)}; }
    static Verdict tempfail(Reply reply) { return {Action::tempfail, std::move(reply)}; }
};

// The protocol stage a verdict answers.
enum class Stage { connect, mail, rcpt, header, end_of_headers, body, end_of_message };

// Named replies (STYLE.md: reply codes as named constants).
inline const Reply kTempfailStoreReply{"451", "4.3.0", "temporary failure, please try again later"};
inline const Reply kTempfailInternalReply{"451", "4.3.0", "internal error, please try again later"};
inline const Reply kRejectInternalReply{"550", "5.3.0", "internal error"};
inline const Reply kReportTooLargeReply{"552", "5.3.4",
                                        "feedback report larger than this server takes"};
inline const Reply kNotAReportReply{"550", "5.6.0", "not a feedback report"};

// The one place where a configured failure action becomes a verdict. Failing
// open ("accept") before end of message lets the message go on: SMFIS_ACCEPT
// there would end filtering for the whole message, and with it the removals
// and attribution that end of message still has to do.
Verdict verdict_for_failure(config::FailureAction action, const Reply& tempfail_reply, Stage stage);

// The configured reply for a suppressed recipient, {rcpt} filled in and made
// safe for smfi_setreply (one line, '%' doubled).
Reply suppressed_reply(const config::SmtpReply& configured, const std::string& recipient);

// Removes CR/LF and doubles '%' so libmilter takes the text verbatim.
std::string sanitize_reply_text(const std::string& text);

}  // namespace fbl::milter
