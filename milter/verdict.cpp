#include "milter/verdict.h"

namespace fbl::milter {

Verdict verdict_for_failure(config::FailureAction action, const Reply& tempfail_reply,
                            Stage stage) {
    switch (action) {
        case config::FailureAction::accept:
            return stage == Stage::end_of_message ? Verdict::accept() : Verdict::proceed();
        case config::FailureAction::reject:
            return Verdict::reject(kRejectInternalReply);
        case config::FailureAction::tempfail:
            return Verdict::tempfail(tempfail_reply);
    }
    return Verdict::tempfail(tempfail_reply);
}

std::string sanitize_reply_text(const std::string& text) {
    std::string safe;
    safe.reserve(text.size());
    for (char c : text) {
        if (c == '\r' || c == '\n') {
            safe += ' ';
        } else if (c == '%') {
            safe += "%%";
        } else {
            safe += c;
        }
    }
    return safe;
}

Reply suppressed_reply(const config::SmtpReply& configured, const std::string& recipient) {
    std::string text = configured.text;
    static const std::string placeholder = "{rcpt}";
    for (auto at = text.find(placeholder); at != std::string::npos;
         at = text.find(placeholder, at + recipient.size())) {
        text.replace(at, placeholder.size(), recipient);
    }
    return {configured.code, configured.xcode, sanitize_reply_text(text)};
}

}  // namespace fbl::milter
