#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "web/hooks/hook_reading.h"
#include "web/hooks/sns_certificates.h"
#include "web/http.h"

// Amazon SES feedback through Amazon SNS: SNS posts a signed JSON document
// (web/hooks/sns_message.h) whose Message is SES's notification, or, once
// per new subscription, a SubscriptionConfirmation to be confirmed.
namespace fbl::web::hooks {

struct SesCheck {
    // The topics SES publishes our feedback to: a message from any other
    // topic is refused, signed or not (anyone can make SNS sign theirs).
    std::vector<std::string> topic_arns;
    SnsCertificates* certificates = nullptr;  // not owned; null: nothing verifies
    // Our signed reference header, found in the original's headers when
    // the SES identity includes them in its notifications.
    std::string reference_header_name = "X-FBL-Ref";
    // How old the SNS Timestamp may be. SNS signs a message once, at
    // publication, and resends it unchanged on each retry; the most
    // patient HTTPS delivery policy AWS allows retries for at most an hour
    // (the default policy for about a minute), so an hour keeps every
    // retry and refuses replays of anything older.
    std::chrono::seconds max_age{3600};
};

// Checks, in this order, each refusing before the next costs anything: the
// body's JSON and field caps (malformed), the topic (unknown_topic), the
// signing-certificate URL (bad_signature, nothing fetched), the Timestamp
// (stale), then the certificate and signature (bad_signature). A verified
// Notification is read as SES's: Complaint -> one event per complained
// recipient, not-spam and everything else -> ignored. A verified
// SubscriptionConfirmation -> confirm_subscription with confirm_url.
HookReading read_ses(const Request& request, const SesCheck& check,
                     std::chrono::system_clock::time_point now);

}  // namespace fbl::web::hooks
