#pragma once

#include <string>
#include <vector>

#include "intake/event.h"
#include "store/records.h"

namespace fbl::web::hooks {

// What a provider's webhook request turned out to be, decided from its bytes
// and our secret before anything is stored.
enum class HookVerdict {
    event,          // verified, and it is a complaint or an unsubscribe
    ignored,        // verified, but an event we do not act on (delivered, opened, ...)
    bad_signature,  // not signed with our secret
    stale,          // signed, but outside the window: an old request replayed
    malformed,      // not the shape the provider documents
    // From an address outside the provider's allow-list: refused before
    // the credentials are looked at (Postmark, which signs nothing).
    forbidden_source,
    unknown_topic,         // signed or not, from an SNS topic we did not configure
    confirm_subscription,  // a verified SNS SubscriptionConfirmation: open confirm_url
};

const char* to_string(HookVerdict verdict);

struct HookReading {
    HookVerdict verdict = HookVerdict::malformed;
    std::string why;  // for the log: never a secret, never the body
    // The request's one-time token, remembered once the event is committed
    // so the same signed request is refused while it is still fresh.
    std::string replay_token;
    store::TimePoint replay_until{};
    // With verdict event: one or more (SendGrid posts a batch), each taken
    // in its own transaction and deduplicated by its own event id.
    std::vector<intake::VouchedEvent> events;
    // With verdict confirm_subscription: the SubscribeURL to GET (checked
    // to be an SNS URL, web/hooks/sns_url.h).
    std::string confirm_url;
};

}  // namespace fbl::web::hooks
