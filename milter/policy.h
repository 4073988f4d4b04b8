#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "config/config.h"
#include "store/records.h"

// Policy is a pure function of (config, session facts, lookup results), so it
// is tested without an MTA (DESIGN.md, "Rules of the house").
namespace fbl::milter {

enum class Direction { inbound, outbound };

// The client as the connect callback gives it.
struct Client {
    std::string hostname;  // "localhost" for Postfix's emulated local submission
    std::string address;   // numeric
    unsigned port = 0;     // 0 when no TCP connection stands behind it
};

struct ConnectionFacts {
    std::string client_address;     // numeric, as from the connect callback
    std::string daemon_name;        // Postfix {daemon_name}
    bool local_submission = false;  // sendmail(1) through Postfix's non_smtpd_milters
};

// Postfix's cleanup(8) emulates a connect for mail that came through no
// smtpd (sendmail(1), pickup): client "localhost", 127.0.0.1, port 0. A real
// TCP client never has port 0.
bool is_postfix_local_submission(const Client& client);

struct EnvelopeFacts {
    std::string sender;     // envelope sender, brackets removed
    std::string auth_user;  // {auth_authen}; empty when not authenticated
};

Direction decide_direction(const config::OutboundSettings& outbound,
                           const ConnectionFacts& connection, const EnvelopeFacts& envelope);

// Marketing by envelope alone (sender domain, auth user): decidable at RCPT.
bool is_marketing_by_envelope(const config::MarketingRules& rules, const EnvelopeFacts& envelope);

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// Marketing by headers (present, or value matching a pattern): at end of message.
bool is_marketing_by_headers(const config::MarketingRules& rules, const HeaderList& headers);

// What to do with one outbound recipient found on the suppression list.
enum class RcptAction {
    deliver,        // not suppressed for this mail
    reject_now,     // reject this recipient at RCPT
    remove_at_eom,  // remove with smfi_delrcpt at end of message
    decide_at_eom,  // remove at end of message if the headers say marketing
};

struct RcptFacts {
    bool suppressed = false;
    suppression::Scope entry_scope = suppression::Scope::marketing;
    bool marketing_by_envelope = false;
    bool non_smtpd = false;  // simulated RCPT from Postfix's non_smtpd_milters
};

RcptAction decide_rcpt(const config::OutboundSettings& outbound, const RcptFacts& facts);

}  // namespace fbl::milter
