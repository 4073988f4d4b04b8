#include "feedback_loop/reference.h"

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include <nlohmann/json.hpp>
#include <openssl/crypto.h>

#include "common/crypto.h"

namespace fbl::feedback_loop {
namespace {

constexpr std::string_view kVersion = "v1";
constexpr std::size_t kTagBytes = 32;

bool valid_key_id(std::string_view id) {
    return !id.empty() && id.size() <= kMaxReferenceKeyId &&
           std::all_of(id.begin(), id.end(), [](char c) {
               return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
           });
}

void check_length(std::string_view what, const std::string& value, std::size_t limit) {
    if (value.size() > limit) {
        throw std::invalid_argument("reference header: " + std::string(what) + " longer than " +
                                    std::to_string(limit) + " octets");
    }
}

std::string encode_payload(const ReferenceClaims& claims) {
    nlohmann::json payload = nlohmann::json::object();
    if (!claims.recipient.empty()) {
        payload["r"] = claims.recipient;
    }
    if (!claims.send_ref.empty()) {
        payload["s"] = claims.send_ref;
    }
    if (!claims.mailing_id.empty()) {
        payload["m"] = claims.mailing_id;
    }
    payload["t"] = claims.timestamp;
    // Invalid UTF-8 throws (nlohmann type_error) instead of being signed garbled.
    try {
        return payload.dump();
    } catch (const nlohmann::json::exception&) {
        throw std::invalid_argument("reference header: claims are not valid UTF-8");
    }
}

bool decode_payload(const std::string& text, ReferenceClaims& claims) {
    auto payload = nlohmann::json::parse(text, nullptr, false);
    if (!payload.is_object() || !payload.contains("t") || !payload["t"].is_number_integer()) {
        return false;
    }
    auto read = [&](const char* name, std::string& target) {
        if (!payload.contains(name)) {
            return true;
        }
        if (!payload[name].is_string()) {
            return false;
        }
        target = payload[name].get<std::string>();
        return true;
    };
    claims.timestamp = payload["t"].get<std::int64_t>();
    return read("r", claims.recipient) && read("s", claims.send_ref) &&
           read("m", claims.mailing_id);
}

std::vector<std::string_view> split_dots(std::string_view text) {
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    while (true) {
        auto dot = text.find('.', start);
        parts.push_back(text.substr(start, dot == std::string_view::npos ? dot : dot - start));
        if (dot == std::string_view::npos) {
            return parts;
        }
        start = dot + 1;
    }
}

// A header value may arrive folded (CRLF + WSP) or with surrounding blanks.
std::string unfold(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (char c : value) {
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
            out.push_back(c);
        }
    }
    return out;
}

// The key's checks come before OpenSSL sees it.
const std::string& checked_key(const config::ReferenceKey& key) {
    if (!valid_key_id(key.id)) {
        throw std::invalid_argument("reference header: key id must be 1-32 of [A-Za-z0-9_-]");
    }
    if (key.key.empty()) {
        throw std::invalid_argument("reference header: key '" + key.id + "' is empty");
    }
    return key.key.reveal();
}

}  // namespace

ReferenceSigner::ReferenceSigner(const config::ReferenceKey& key)
    : key_id_(key.id), mac_(checked_key(key)) {}

std::string ReferenceSigner::tag(std::string_view text) const {
    return mac_.sign(text);
}

std::string ReferenceSigner::sign(const ReferenceClaims& claims) const {
    check_length("recipient", claims.recipient, kMaxReferenceRecipient);
    check_length("send_ref", claims.send_ref, kMaxReferenceSendRef);
    check_length("mailing_id", claims.mailing_id, kMaxReferenceMailingId);
    std::string signed_part = std::string(kVersion) + "." + key_id_ + "." +
                              crypto::base64url_encode(encode_payload(claims));
    return signed_part + "." + crypto::base64url_encode(tag(signed_part));
}

std::string sign_reference(const ReferenceClaims& claims, const config::ReferenceKey& key) {
    return ReferenceSigner(key).sign(claims);
}

ReferenceCheck verify_reference(std::string_view header_value,
                                const std::vector<config::ReferenceKey>& keys) {
    ReferenceCheck check;
    std::string token = unfold(header_value);
    if (token.empty()) {
        return check;
    }
    check.status = ReferenceCheck::Status::malformed;
    auto parts = split_dots(token);
    if (parts.size() != 4 || parts[0] != kVersion || !valid_key_id(parts[1])) {
        return check;
    }
    check.key_id = std::string(parts[1]);
    auto payload = crypto::base64url_decode(parts[2]);
    auto tag = crypto::base64url_decode(parts[3]);
    if (!payload || !tag || tag->size() != kTagBytes) {
        return check;
    }
    auto key = std::find_if(keys.begin(), keys.end(),
                            [&](const config::ReferenceKey& k) { return k.id == check.key_id; });
    if (key == keys.end() || key->key.empty()) {
        check.status = ReferenceCheck::Status::unknown_key;
        return check;
    }
    std::string_view signed_part(token.data(),
                                 parts[0].size() + parts[1].size() + parts[2].size() + 2);
    auto expected = ReferenceSigner(*key).tag(signed_part);
    if (CRYPTO_memcmp(expected.data(), tag->data(), kTagBytes) != 0) {
        check.status = ReferenceCheck::Status::bad_tag;
        return check;
    }
    ReferenceClaims claims;
    if (!decode_payload(*payload, claims)) {
        return check;  // signed by us yet unreadable: still malformed, never trusted
    }
    check.claims = std::move(claims);
    check.status = ReferenceCheck::Status::valid;
    return check;
}

const char* to_string(ReferenceCheck::Status status) {
    switch (status) {
        case ReferenceCheck::Status::absent:
            return "absent";
        case ReferenceCheck::Status::valid:
            return "valid";
        case ReferenceCheck::Status::malformed:
            return "malformed";
        case ReferenceCheck::Status::unknown_key:
            return "unknown-key";
        case ReferenceCheck::Status::bad_tag:
            return "bad-tag";
        case ReferenceCheck::Status::expired:
            return "expired";
        case ReferenceCheck::Status::future:
            return "future";
    }
    return "?";
}

void apply_replay_window(ReferenceCheck& check, std::chrono::seconds max_age,
                         std::chrono::system_clock::time_point now) {
    if (check.status != ReferenceCheck::Status::valid) {
        return;
    }
    auto now_seconds =
        std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
    // The bounds move, never the token's t, which may be any int64.
    std::int64_t signed_at = check.claims.timestamp;
    if (signed_at > now_seconds + kReferenceFutureSkew.count()) {
        check.status = ReferenceCheck::Status::future;
    } else if (signed_at < now_seconds - max_age.count()) {
        check.status = ReferenceCheck::Status::expired;
    }
}

const config::ReferenceKey* active_reference_key(const config::ReferenceHeader& header) {
    if (header.active_key.empty()) {
        return nullptr;
    }
    for (const auto& key : header.keys) {
        if (key.id == header.active_key) {
            return &key;
        }
    }
    return nullptr;
}

}  // namespace fbl::feedback_loop
