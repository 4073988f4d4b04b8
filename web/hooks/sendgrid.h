#pragma once

#include <chrono>

#include "common/p256_key.h"
#include "web/hooks/hook_reading.h"
#include "web/http.h"

// SendGrid's signed Event Webhook: the body is a JSON array of events, and
// X-Twilio-Email-Event-Webhook-Signature holds the base64 DER ECDSA P-256
// signature of SHA-256(X-Twilio-Email-Event-Webhook-Timestamp + raw body).
namespace fbl::web::hooks {

// SendGrid retries a failed POST for 72 hours and does not say whether a
// retry is signed afresh, so the window covers the whole schedule plus an
// hour: a store outage must not lose complaints. A long window costs
// nothing: a request is taken once (replay token) and each event once
// (sg_event_id).
inline constexpr std::chrono::seconds kSendGridMaxAge{73 * 3600};

// How many events one request may carry. SendGrid batches by size and
// time; a thousand events is far above what it posts at once.
inline constexpr std::size_t kSendGridMaxEvents = 1000;

struct SendGridCheck {
    const crypto::P256PublicKey* public_key = nullptr;  // null: every request is refused
    std::chrono::seconds max_age = kSendGridMaxAge;
};

// spamreport -> complaint; unsubscribe, group_unsubscribe -> unsubscribe;
// every other event is skipped, and a batch of only those is ignored.
HookReading read_sendgrid(const Request& request, const SendGridCheck& check,
                          std::chrono::system_clock::time_point now);

}  // namespace fbl::web::hooks
