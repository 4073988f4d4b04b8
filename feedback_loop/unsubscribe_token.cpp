#include "feedback_loop/unsubscribe_token.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <stdexcept>

#include <nlohmann/json.hpp>
#include <openssl/crypto.h>

#include "common/crypto.h"

namespace fbl::feedback_loop {
namespace {

constexpr std::string_view kVersion = "u1";
// Signed before the token text: the reference header MACs the bare text, so
// one key's tag over one text never serves both kinds of token.
constexpr std::string_view kDomain = "fbl-unsubscribe-v1.";
constexpr std::size_t kTagBytes = 32;

using Status = UnsubscribeCheck::Status;

void check_length(std::string_view what, const std::string& value, std::size_t limit) {
    if (value.size() > limit) {
        throw std::invalid_argument("unsubscribe token: " + std::string(what) + " longer than " +
                                    std::to_string(limit) + " octets");
    }
}

std::string encode_payload(const UnsubscribeClaims& claims) {
    nlohmann::json payload = {{"r", claims.recipient}, {"t", claims.issued_at}};
    if (!claims.mailing_id.empty()) {
        payload["m"] = claims.mailing_id;
    }
    std::string text;
    try {
        text = payload.dump();
    } catch (const nlohmann::json::exception&) {
        throw std::invalid_argument("unsubscribe token: claims are not valid UTF-8");
    }
    // Escaping can grow a short address past what verification accepts.
    check_length("payload", text, kMaxUnsubscribePayload);
    return text;
}

std::optional<UnsubscribeClaims> decode_payload(const std::string& text) {
    auto payload = nlohmann::json::parse(text, nullptr, false);
    if (!payload.is_object() || !payload.contains("r") || !payload["r"].is_string() ||
        !payload.contains("t") || !payload["t"].is_number_integer()) {
        return std::nullopt;
    }
    UnsubscribeClaims claims;
    claims.recipient = payload["r"].get<std::string>();
    claims.issued_at = payload["t"].get<std::int64_t>();
    if (payload.contains("m")) {
        if (!payload["m"].is_string()) {
            return std::nullopt;
        }
        claims.mailing_id = payload["m"].get<std::string>();
    }
    if (claims.recipient.empty()) {
        return std::nullopt;
    }
    return claims;
}

std::string mac_input(std::string_view signed_part) {
    return std::string(kDomain) + std::string(signed_part);
}

bool token_characters(std::string_view token) {
    return std::all_of(token.begin(), token.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
    });
}

struct Parts {
    std::string_view signed_part;  // "u1.<key id>.<payload b64>"
    std::string_view key_id;
    std::string_view payload;
    std::string_view tag;
};

std::optional<Parts> split(std::string_view token) {
    auto first = token.find('.');
    auto second = first == std::string_view::npos ? first : token.find('.', first + 1);
    auto third = second == std::string_view::npos ? second : token.find('.', second + 1);
    if (third == std::string_view::npos || token.find('.', third + 1) != std::string_view::npos ||
        token.substr(0, first) != kVersion) {
        return std::nullopt;
    }
    Parts parts{token.substr(0, third), token.substr(first + 1, second - first - 1),
                token.substr(second + 1, third - second - 1), token.substr(third + 1)};
    if (parts.key_id.empty() || parts.key_id.size() > kMaxReferenceKeyId) {
        return std::nullopt;
    }
    return parts;
}

bool any_key_signed(const Parts& parts, const std::string& tag,
                    const std::vector<config::ReferenceKey>& keys) {
    bool matched = false;
    for (const auto& key : keys) {
        if (key.id != parts.key_id || key.key.empty()) {
            continue;
        }
        auto expected = ReferenceSigner(key).tag(mac_input(parts.signed_part));
        matched = CRYPTO_memcmp(expected.data(), tag.data(), kTagBytes) == 0 || matched;
    }
    return matched;
}

bool has_key(std::string_view id, const std::vector<config::ReferenceKey>& keys) {
    return std::any_of(keys.begin(), keys.end(), [&](const config::ReferenceKey& key) {
        return key.id == id && !key.key.empty();
    });
}

Status age_status(std::int64_t issued_at, std::chrono::seconds lifetime,
                  std::chrono::system_clock::time_point now) {
    auto now_seconds =
        std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
    // The bounds move, never the token's t, which may be any int64.
    if (issued_at > now_seconds + kReferenceFutureSkew.count()) {
        return Status::future;
    }
    if (issued_at < now_seconds - lifetime.count()) {
        return Status::expired;
    }
    return Status::valid;
}

}  // namespace

UnsubscribeSigner::UnsubscribeSigner(const config::ReferenceKey& key) : mac_(key) {}

std::string UnsubscribeSigner::sign(const UnsubscribeClaims& claims) const {
    if (claims.recipient.empty()) {
        throw std::invalid_argument("unsubscribe token: no recipient");
    }
    check_length("recipient", claims.recipient, kMaxUnsubscribeRecipient);
    check_length("mailing_id", claims.mailing_id, kMaxUnsubscribeMailingId);
    std::string signed_part = std::string(kVersion) + "." + mac_.key_id() + "." +
                              crypto::base64url_encode(encode_payload(claims));
    return signed_part + "." + crypto::base64url_encode(mac_.tag(mac_input(signed_part)));
}

UnsubscribeCheck verify_unsubscribe(std::string_view token,
                                    const std::vector<config::ReferenceKey>& keys,
                                    std::chrono::seconds lifetime,
                                    std::chrono::system_clock::time_point now) {
    UnsubscribeCheck check;
    if (token.size() > kMaxUnsubscribeToken || !token_characters(token)) {
        return check;
    }
    auto parts = split(token);
    if (!parts) {
        return check;
    }
    check.key_id = std::string(parts->key_id);
    auto payload = crypto::base64url_decode(parts->payload);
    auto tag = crypto::base64url_decode(parts->tag);
    if (!payload || payload->size() > kMaxUnsubscribePayload || !tag || tag->size() != kTagBytes) {
        return check;
    }
    if (!has_key(parts->key_id, keys)) {
        check.status = Status::unknown_key;
        return check;
    }
    if (!any_key_signed(*parts, *tag, keys)) {
        check.status = Status::bad_tag;
        return check;
    }
    auto claims = decode_payload(*payload);
    if (!claims) {
        return check;  // signed by us yet unreadable: still malformed, never trusted
    }
    check.claims = std::move(*claims);
    check.status = age_status(check.claims.issued_at, lifetime, now);
    return check;
}

const char* to_string(UnsubscribeCheck::Status status) {
    switch (status) {
        case Status::valid:
            return "valid";
        case Status::malformed:
            return "malformed";
        case Status::unknown_key:
            return "unknown-key";
        case Status::bad_tag:
            return "bad-tag";
        case Status::expired:
            return "expired";
        case Status::future:
            return "future";
    }
    return "?";
}

}  // namespace fbl::feedback_loop
