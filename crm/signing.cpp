#include "crm/signing.h"

#include <stdexcept>
#include <string>

#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace fbl::crm {
namespace {

std::string signing_key(std::string_view secret) {
    constexpr std::string_view kPrefix = "whsec_";
    if (secret.starts_with(kPrefix)) {
        return base64_decode(secret.substr(kPrefix.size()));
    }
    return std::string(secret);
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3), '\0');
    int length = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                 reinterpret_cast<const unsigned char*>(bytes.data()),
                                 static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(length));
    return out;
}

std::string base64_decode(std::string_view text) {
    if (text.size() % 4 != 0) {
        throw std::invalid_argument("base64 text length is not a multiple of 4");
    }
    std::string out(3 * text.size() / 4, '\0');
    int length = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                 reinterpret_cast<const unsigned char*>(text.data()),
                                 static_cast<int>(text.size()));
    if (length < 0) {
        throw std::invalid_argument("malformed base64 text");
    }
    // EVP_DecodeBlock counts padding as zero bytes.
    std::size_t padding = 0;
    for (auto it = text.rbegin(); it != text.rend() && *it == '=' && padding < 2; ++it) {
        ++padding;
    }
    out.resize(static_cast<std::size_t>(length) - padding);
    return out;
}

std::string webhook_signature(std::string_view secret, std::string_view id, std::int64_t timestamp,
                              std::string_view body) {
    auto key = signing_key(secret);
    std::string content;
    content.reserve(id.size() + body.size() + 24);
    content.append(id).append(".").append(std::to_string(timestamp)).append(".").append(body);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
             reinterpret_cast<const unsigned char*>(content.data()), content.size(), digest,
             &length) == nullptr) {
        throw std::runtime_error("HMAC-SHA256 failed");
    }
    return "v1," + base64_encode(std::string_view(reinterpret_cast<char*>(digest), length));
}

}  // namespace fbl::crm
