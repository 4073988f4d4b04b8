#pragma once

#include <chrono>
#include <span>
#include <string_view>

#include "config/network.h"
#include "web/hooks/hook_reading.h"
#include "web/http.h"

// Postmark's webhooks sign nothing: the request carries the HTTP Basic
// credentials set on the webhook in Postmark, and may be limited to the
// addresses Postmark publishes for its webhooks. The body is one JSON
// object whose RecordType names the event.
namespace fbl::web::hooks {

struct PostmarkCheck {
    std::string_view credentials;  // "user:password"; empty: every request is refused
    // Where requests may come from (Request::client_address); empty: anywhere.
    std::span<const config::Network> allowed_sources;
};

// SpamComplaint -> complaint; SubscriptionChange that suppresses because the
// recipient unsubscribed -> unsubscribe; anything else is ignored. Without a
// signed timestamp there is no replay token: the event id deduplicates.
HookReading read_postmark(const Request& request, const PostmarkCheck& check,
                          std::chrono::system_clock::time_point now);

}  // namespace fbl::web::hooks
