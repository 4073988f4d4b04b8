#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include <openssl/types.h>

// The encodings and digests the project needs, each written once on OpenSSL 3
// (never by hand). Digests and MACs come back as raw bytes unless the name
// says hex.
namespace fbl::crypto {

// RFC 4648 section 4: standard alphabet, padded.
std::string base64_encode(std::string_view bytes);
// nullopt unless the text is padded base64 of the standard alphabet: length
// a multiple of 4, '=' only as the last one or two characters, no blanks.
std::optional<std::string> base64_decode(std::string_view text);

// RFC 4648 section 5: URL- and file-name-safe alphabet, without padding.
std::string base64url_encode(std::string_view bytes);
// nullopt unless the text is exactly what base64url_encode gives for some
// bytes: one value has one spelling, so a signed token cannot be re-spelled.
std::optional<std::string> base64url_decode(std::string_view text);

// HMAC-SHA256 with a key set up once, for a key that signs many texts: each
// signature then costs a copy of the keyed state instead of OpenSSL's
// algorithm lookups. Thread-safe.
class HmacSha256 {
  public:
    // Throws std::runtime_error when OpenSSL cannot set up the MAC.
    explicit HmacSha256(std::string_view key);
    ~HmacSha256();
    HmacSha256(const HmacSha256&) = delete;
    HmacSha256& operator=(const HmacSha256&) = delete;

    // The 32 raw bytes of the MAC of text.
    std::string sign(std::string_view text) const;

  private:
    EVP_MAC_CTX* keyed_ = nullptr;
    mutable std::mutex copy_mutex_;  // OpenSSL does not promise concurrent copies of one context
};

// The 32 raw bytes of HMAC-SHA256(key, text), for a key used once.
std::string hmac_sha256(std::string_view key, std::string_view text);

// `count` bytes from OpenSSL's CSPRNG (keys, session ids, CSRF tokens);
// throws std::runtime_error when it has none.
std::string random_bytes(std::size_t count);

// Lower-case hex of bytes.
std::string hex(std::string_view bytes);

// Whether a and b are the same bytes, in time that depends on their length
// only: for comparing a MAC a stranger sent with the one we computed.
bool same_in_constant_time(std::string_view a, std::string_view b);

// Lower-case hex of SHA-256(data).
std::string sha256_hex(std::string_view data);

// SHA-256 of data given in parts.
class Sha256 {
  public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;

    Sha256& update(std::string_view data);
    // Lower-case hex of the digest of everything given so far; more may follow.
    std::string hex() const;

  private:
    EVP_MD_CTX* context_ = nullptr;
};

}  // namespace fbl::crypto
