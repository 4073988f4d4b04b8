#include "common/crypto.h"

#include <algorithm>
#include <climits>
#include <stdexcept>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

namespace fbl::crypto {
namespace {

// OpenSSL takes lengths as int; the encoded text must fit one too.
constexpr std::size_t kMaxEncodeBytes = INT_MAX / 4 * 3;

// A non-null pointer even for empty input: OpenSSL reads a null key as "no key".
const unsigned char* bytes_of(std::string_view text) {
    return reinterpret_cast<const unsigned char*>(text.empty() ? "" : text.data());
}

bool is_base64_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
           c == '/';
}

std::string hex_of(const unsigned char* digest, std::size_t length) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string text;
    text.reserve(2 * length);
    for (std::size_t i = 0; i < length; ++i) {
        text.push_back(kDigits[digest[i] >> 4]);
        text.push_back(kDigits[digest[i] & 0xf]);
    }
    return text;
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
    if (bytes.size() > kMaxEncodeBytes) {
        throw std::length_error("base64: input too large");
    }
    // EVP_EncodeBlock writes a NUL after the text.
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    int length = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes_of(bytes),
                                 static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(length));
    return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
    // EVP_DecodeBlock alone is lenient: it skips leading blanks, drops
    // trailing blanks and '-', and reads '=' anywhere as zero bits.
    if (text.size() % 4 != 0 || text.size() > INT_MAX) {
        return std::nullopt;
    }
    std::size_t padding = text.ends_with("==") ? 2 : text.ends_with('=') ? 1 : 0;
    std::string_view data = text.substr(0, text.size() - padding);
    if (!std::all_of(data.begin(), data.end(), is_base64_char)) {
        return std::nullopt;
    }
    if (text.empty()) {
        return std::string();
    }
    std::string out(text.size() / 4 * 3, '\0');
    int length = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes_of(text),
                                 static_cast<int>(text.size()));
    if (length < 0) {
        return std::nullopt;
    }
    // EVP_DecodeBlock counts padding as zero bytes.
    out.resize(static_cast<std::size_t>(length) - padding);
    return out;
}

std::string base64url_encode(std::string_view bytes) {
    std::string out = base64_encode(bytes);
    while (!out.empty() && out.back() == '=') {
        out.pop_back();
    }
    std::replace(out.begin(), out.end(), '+', '-');
    std::replace(out.begin(), out.end(), '/', '_');
    return out;
}

std::optional<std::string> base64url_decode(std::string_view text) {
    if (text.size() % 4 == 1) {
        return std::nullopt;
    }
    std::string standard(text);
    for (char& c : standard) {
        if (c == '-') {
            c = '+';
        } else if (c == '_') {
            c = '/';
        } else if (c == '+' || c == '/' || c == '=') {
            return std::nullopt;  // the standard alphabet's, not base64url's
        }
    }
    standard.append((4 - standard.size() % 4) % 4, '=');
    auto bytes = base64_decode(standard);
    // The last character may carry bits the bytes do not use: only the
    // spelling with those bits zero is the encoding.
    if (!bytes || base64url_encode(*bytes) != text) {
        return std::nullopt;
    }
    return bytes;
}

HmacSha256::HmacSha256(std::string_view key) {
    EVP_MAC* mac = EVP_MAC_fetch(nullptr, OSSL_MAC_NAME_HMAC, nullptr);
    keyed_ = mac ? EVP_MAC_CTX_new(mac) : nullptr;
    EVP_MAC_free(mac);  // the context holds its own reference
    char digest[] = OSSL_DIGEST_NAME_SHA2_256;
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                           OSSL_PARAM_construct_end()};
    if (keyed_ == nullptr || EVP_MAC_init(keyed_, bytes_of(key), key.size(), params) != 1) {
        EVP_MAC_CTX_free(keyed_);
        throw std::runtime_error("HMAC-SHA256 setup failed");
    }
}

HmacSha256::~HmacSha256() {
    EVP_MAC_CTX_free(keyed_);
}

std::string HmacSha256::sign(std::string_view text) const {
    EVP_MAC_CTX* context = nullptr;
    {
        std::lock_guard lock(copy_mutex_);
        context = EVP_MAC_CTX_dup(keyed_);
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    std::size_t length = 0;
    bool ok = context != nullptr && EVP_MAC_update(context, bytes_of(text), text.size()) == 1 &&
              EVP_MAC_final(context, digest, &length, sizeof digest) == 1;
    EVP_MAC_CTX_free(context);
    if (!ok) {
        throw std::runtime_error("HMAC-SHA256 failed");
    }
    return std::string(reinterpret_cast<char*>(digest), length);
}

std::string hmac_sha256(std::string_view key, std::string_view text) {
    return HmacSha256(key).sign(text);
}

std::string hex(std::string_view bytes) {
    return hex_of(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
}

std::string random_bytes(std::size_t count) {
    std::string bytes(count, '\0');
    if (count > INT_MAX ||
        RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(count)) != 1) {
        throw std::runtime_error("no random bytes from OpenSSL");
    }
    return bytes;
}

bool same_in_constant_time(std::string_view a, std::string_view b) {
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string sha256_hex(std::string_view data) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
        throw std::runtime_error("SHA-256 failed");
    }
    return hex_of(digest, length);
}

Sha256::Sha256() : context_(EVP_MD_CTX_new()) {
    if (context_ == nullptr || EVP_DigestInit_ex(context_, EVP_sha256(), nullptr) != 1) {
        EVP_MD_CTX_free(context_);
        throw std::runtime_error("SHA-256 setup failed");
    }
}

Sha256::~Sha256() {
    EVP_MD_CTX_free(context_);
}

Sha256& Sha256::update(std::string_view data) {
    if (EVP_DigestUpdate(context_, data.data(), data.size()) != 1) {
        throw std::runtime_error("SHA-256 failed");
    }
    return *this;
}

std::string Sha256::hex() const {
    // Finalised on a copy, so the running state stays usable.
    EVP_MD_CTX* copy = EVP_MD_CTX_new();
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    bool ok = copy != nullptr && EVP_MD_CTX_copy_ex(copy, context_) == 1 &&
              EVP_DigestFinal_ex(copy, digest, &length) == 1;
    EVP_MD_CTX_free(copy);
    if (!ok) {
        throw std::runtime_error("SHA-256 failed");
    }
    return hex_of(digest, length);
}

}  // namespace fbl::crypto
