#include "crm/signing.h"

#include <stdexcept>
#include <string>

#include "common/crypto.h"

namespace fbl::crm {
namespace {

std::string signing_key(std::string_view secret) {
    constexpr std::string_view kPrefix = "whsec_";
    if (!secret.starts_with(kPrefix)) {
        return std::string(secret);
    }
    auto key = crypto::base64_decode(secret.substr(kPrefix.size()));
    if (!key) {
        throw std::invalid_argument("malformed base64 text");
    }
    return *key;
}

}  // namespace

std::string webhook_signature(std::string_view secret, std::string_view id, std::int64_t timestamp,
                              std::string_view body) {
    auto key = signing_key(secret);
    std::string content;
    content.reserve(id.size() + body.size() + 24);
    content.append(id).append(".").append(std::to_string(timestamp)).append(".").append(body);
    return "v1," + crypto::base64_encode(crypto::hmac_sha256(key, content));
}

}  // namespace fbl::crm
