#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/crypto.h"
#include "config/config.h"

// The signed reference header on outgoing marketing mail (issue 7): the milter
// signs it, the report path verifies it in the original a provider sends back.
namespace fbl::feedback_loop {

struct ReferenceClaims {
    std::string recipient;   // the one recipient, lower-case key; empty for multi-recipient mail
    std::string send_ref;    // multi-recipient mail: the Message-ID (no <>) the send log resolves
    std::string mailing_id;  // may be empty
    std::int64_t timestamp = 0;  // unix seconds when signed
};

// Longest accepted claim values; the whole token stays well under 998 octets.
inline constexpr std::size_t kMaxReferenceRecipient = 254;
inline constexpr std::size_t kMaxReferenceSendRef = 250;
inline constexpr std::size_t kMaxReferenceMailingId = 128;
inline constexpr std::size_t kMaxReferenceKeyId = 32;

// "v1.<key id>.<base64url(payload)>.<base64url(HMAC-SHA256(key, "v1.<key id>.<payload b64>"))>"
// The payload is compact JSON ({"r","s","m","t"}), so any UTF-8 address round-trips.
// Throws std::invalid_argument for overlong claims, a key id with characters
// outside [A-Za-z0-9_-], or an empty key.
std::string sign_reference(const ReferenceClaims& claims, const config::ReferenceKey& key);

// Signs with one key, for every outgoing marketing message: the HMAC state
// for the key is set up once, so a signature costs a copy of it instead of
// OpenSSL's algorithm lookups. Thread-safe. The constructor throws
// std::invalid_argument as sign_reference does for a bad key.
class ReferenceSigner {
  public:
    explicit ReferenceSigner(const config::ReferenceKey& key);

    std::string sign(const ReferenceClaims& claims) const;
    std::string tag(std::string_view text) const;  // raw HMAC-SHA256 of text with this key
    const std::string& key_id() const { return key_id_; }

  private:
    std::string key_id_;
    crypto::HmacSha256 mac_;
};

struct ReferenceCheck {
    // expired / future: our genuine token, outside the replay window.
    enum class Status { absent, valid, malformed, unknown_key, bad_tag, expired, future };
    Status status = Status::absent;
    std::string key_id;
    ReferenceClaims claims;  // filled when valid
};

// Verifies against every configured key with the token's id (rotation: one
// key signs, all verify). Surrounding whitespace and folding are ignored.
ReferenceCheck verify_reference(std::string_view header_value,
                                const std::vector<config::ReferenceKey>& keys);

const char* to_string(ReferenceCheck::Status status);

// How far ahead of our clock a token may be dated (clock skew between the
// signing and the verifying host).
inline constexpr std::chrono::seconds kReferenceFutureSkew{3600};

// A valid check whose token was signed more than `max_age` before `now`
// becomes expired, one dated beyond kReferenceFutureSkew after it future:
// a replayed copy of old mail (or a token from a wrong clock) proves nothing.
void apply_replay_window(ReferenceCheck& check, std::chrono::seconds max_age,
                         std::chrono::system_clock::time_point now);

// The configured key that signs (reference_header.active_key), or nullptr
// when signing is off.
const config::ReferenceKey* active_reference_key(const config::ReferenceHeader& header);

}  // namespace fbl::feedback_loop
