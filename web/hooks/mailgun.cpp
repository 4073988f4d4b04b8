#include "web/hooks/mailgun.h"

#include <algorithm>
#include <cctype>

#include "common/crypto.h"
#include "common/text.h"
#include "web/hooks/fields.h"
#include "web/json_body.h"

namespace fbl::web::hooks {
namespace {

constexpr std::size_t kMaxToken = 256;
constexpr std::size_t kMaxTimestampDigits = 12;
constexpr std::chrono::seconds kFutureSkew{300};

bool all_of(std::string_view text, int (*is)(int)) {
    return std::all_of(text.begin(), text.end(),
                       [is](char c) { return is(static_cast<unsigned char>(c)) != 0; });
}

// Mailgun documents the timestamp as a string of digits; accept a number too.
std::string timestamp_text(const nlohmann::json& signature) {
    auto found = signature.find("timestamp");
    if (found == signature.end()) {
        return {};
    }
    if (found->is_number_unsigned()) {
        return std::to_string(found->get<std::uint64_t>());
    }
    return found->is_string() ? found->get<std::string>() : std::string();
}

std::optional<store::ComplaintKind> kind_of(std::string_view event) {
    if (event == "complained") {
        return store::ComplaintKind::complaint;
    }
    if (event == "unsubscribed") {
        return store::ComplaintKind::unsubscribe;
    }
    return std::nullopt;
}

HookReading read_event(const nlohmann::json& data, HookReading reading) {
    if (!data.is_object()) {
        return refused(HookVerdict::malformed, "no event-data object");
    }
    std::string name = text_at(data, "event", 64);
    auto kind = kind_of(name);
    if (!kind) {
        reading.verdict = HookVerdict::ignored;
        reading.why = "event '" + name.substr(0, 32) + "' is not acted on";
        return reading;
    }
    intake::VouchedEvent event;
    event.channel = store::Channel::mailgun;
    event.kind = *kind;
    event.recipient = text_at(data, "recipient", kMaxRecipient);
    if (event.recipient.empty()) {
        return refused(HookVerdict::malformed, "event without a recipient");
    }
    event.proof = "mailgun signature";
    event.provider = "mailgun.com";
    event.event_id = text_at(data, "id", kMaxEventId);
    event.feedback_type = *kind == store::ComplaintKind::complaint ? "abuse" : "";
    event.occurred_at = unix_time_at(data, "timestamp");
    if (auto message = data.find("message"); message != data.end() && message->is_object()) {
        if (auto headers = message->find("headers");
            headers != message->end() && headers->is_object()) {
            event.original_message_id = text_at(*headers, "message-id", kMaxMessageId);
        }
    }
    event.detail = {{"event", name}, {"id", event.event_id}};
    for (const char* kept : {"tags", "user-variables", "campaigns"}) {
        if (auto found = data.find(kept); found != data.end()) {
            event.detail[kept] = *found;
        }
    }
    reading.verdict = HookVerdict::event;
    reading.events.push_back(std::move(event));
    return reading;
}

}  // namespace

HookReading read_mailgun(std::string_view body, const MailgunCheck& check,
                         std::chrono::system_clock::time_point now) {
    auto json = parse_json_body(body);
    if (!json || !json->is_object()) {
        return refused(HookVerdict::malformed, "body is not a JSON object");
    }
    auto signature = json->find("signature");
    if (signature == json->end() || !signature->is_object()) {
        return refused(HookVerdict::bad_signature, "no signature object");
    }
    std::string timestamp = timestamp_text(*signature);
    std::string token = text_at(*signature, "token", kMaxToken);
    std::string tag = text_at(*signature, "signature", 64);
    if (timestamp.empty() || timestamp.size() > kMaxTimestampDigits ||
        !all_of(timestamp, ::isdigit) || token.empty() || !all_of(token, ::isalnum) ||
        tag.size() != 64) {
        return refused(HookVerdict::bad_signature, "signature fields missing or not well formed");
    }
    std::string expected = crypto::hex(crypto::hmac_sha256(check.signing_key, timestamp + token));
    std::string given = text::ascii_lower(tag);
    if (check.signing_key.empty() || !crypto::same_in_constant_time(expected, given)) {
        return refused(HookVerdict::bad_signature, "signature does not match the signing key");
    }
    auto signed_at =
        std::chrono::system_clock::time_point(std::chrono::seconds(std::stoll(timestamp)));
    if (signed_at + check.max_age < now || signed_at > now + kFutureSkew) {
        return refused(HookVerdict::stale, "signed outside the accepted window");
    }
    HookReading reading;
    reading.replay_token = token;
    reading.replay_until = signed_at + check.max_age + kFutureSkew;
    auto data = json->find("event-data");
    return read_event(data == json->end() ? nlohmann::json() : *data, std::move(reading));
}

}  // namespace fbl::web::hooks
