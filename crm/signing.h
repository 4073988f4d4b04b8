#pragma once

#include <cstdint>
#include <string>
#include <string_view>

// Standard Webhooks (https://www.standardwebhooks.com) request signing:
// signature = base64(HMAC-SHA256(key, "<id>.<timestamp>.<body>")), sent as
// `webhook-signature: v1,<signature>` next to `webhook-id` and
// `webhook-timestamp`. The secret is given as "whsec_<base64 key>"; a secret
// without that prefix is used as raw key bytes; a "whsec_" secret that is not
// valid base64 throws std::invalid_argument.
namespace fbl::crm {

std::string webhook_signature(std::string_view secret, std::string_view id, std::int64_t timestamp,
                              std::string_view body);

}  // namespace fbl::crm
