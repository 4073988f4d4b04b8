#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "feedback_loop/reference.h"

// The token in our RFC 8058 List-Unsubscribe URL (issue 16): the milter signs
// it into marketing mail, fblweb verifies it when the person presses
// unsubscribe. Same keys and rotation as the reference header, but its own
// version and a domain-separated MAC, so neither token passes for the other.
namespace fbl::feedback_loop {

struct UnsubscribeClaims {
    std::string recipient;       // as the MTA gave it, brackets stripped
    std::string mailing_id;      // may be empty
    std::int64_t issued_at = 0;  // unix seconds
};

inline constexpr std::size_t kMaxUnsubscribeRecipient = 254;
inline constexpr std::size_t kMaxUnsubscribeMailingId = 128;
// Refused before any decoding: a URL path is attacker input, and these bound
// what a request can make us decode and parse. The longest claims JSON-escape
// to well under the payload cap, and their token stays under the token cap.
inline constexpr std::size_t kMaxUnsubscribeToken = 1024;
inline constexpr std::size_t kMaxUnsubscribePayload = 640;

// "u1.<key id>.<base64url(payload)>.<base64url(tag)>", the tag being
// HMAC-SHA256(key, "fbl-unsubscribe-v1." + "u1.<key id>.<payload b64>");
// the payload is compact JSON {"r","m","t"}. Thread-safe.
class UnsubscribeSigner {
  public:
    // Throws std::invalid_argument for a key the reference signer refuses.
    explicit UnsubscribeSigner(const config::ReferenceKey& key);

    // Throws std::invalid_argument for overlong or non-UTF-8 claims.
    std::string sign(const UnsubscribeClaims& claims) const;

  private:
    ReferenceSigner mac_;
};

struct UnsubscribeCheck {
    enum class Status { valid, malformed, unknown_key, bad_tag, expired, future };
    Status status = Status::malformed;
    std::string key_id;
    UnsubscribeClaims claims;  // filled when valid, expired or future
};

// Verifies against every configured key with the token's id (rotation: one
// key signs, all verify), in constant time per tag. A token issued more than
// `lifetime` before `now` is expired, one dated beyond kReferenceFutureSkew
// after it future.
UnsubscribeCheck verify_unsubscribe(std::string_view token,
                                    const std::vector<config::ReferenceKey>& keys,
                                    std::chrono::seconds lifetime,
                                    std::chrono::system_clock::time_point now);

const char* to_string(UnsubscribeCheck::Status status);

}  // namespace fbl::feedback_loop
