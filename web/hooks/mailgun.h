#pragma once

#include <chrono>
#include <string_view>

#include "web/hooks/hook_reading.h"

// Mailgun's webhooks: a JSON body whose "signature" object holds timestamp,
// token and signature = hex HMAC-SHA256(signing key, timestamp + token), and
// whose "event-data" is the event ("complained", "unsubscribed", ...).
namespace fbl::web::hooks {

struct MailgunCheck {
    std::string_view signing_key;
    // How old a signed request may be. Mailgun retries a failed POST for 8
    // hours; whether it signs each retry afresh it does not say, so the
    // window must cover the whole schedule or a store outage loses complaints.
    std::chrono::seconds max_age{9 * 3600};
};

HookReading read_mailgun(std::string_view body, const MailgunCheck& check,
                         std::chrono::system_clock::time_point now);

}  // namespace fbl::web::hooks
