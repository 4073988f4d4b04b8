#include "web/hooks/sendgrid.h"

#include <algorithm>
#include <cctype>
#include <variant>

#include "common/crypto.h"
#include "common/text.h"
#include "web/hooks/fields.h"
#include "web/json_body.h"

namespace fbl::web::hooks {
namespace {

constexpr std::string_view kSignatureHeader = "X-Twilio-Email-Event-Webhook-Signature";
constexpr std::string_view kTimestampHeader = "X-Twilio-Email-Event-Webhook-Timestamp";
// A DER ECDSA P-256 signature is at most 72 bytes: 96 characters of base64.
constexpr std::size_t kMaxSignatureText = 128;
constexpr std::size_t kMaxTimestampDigits = 12;
constexpr std::size_t kMaxDetailField = 1024;
constexpr std::chrono::seconds kFutureSkew{300};

bool all_digits(std::string_view text) {
    return std::all_of(text.begin(), text.end(),
                       [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; });
}

std::optional<store::ComplaintKind> kind_of(std::string_view event) {
    if (event == "spamreport") {
        return store::ComplaintKind::complaint;
    }
    if (event == "unsubscribe" || event == "group_unsubscribe") {
        return store::ComplaintKind::unsubscribe;
    }
    return std::nullopt;
}

// One element of the batch: its event, nothing for a kind we skip, or a
// malformed reading when an event we act on lacks what we need.
std::variant<std::monostate, intake::VouchedEvent, HookReading> read_event(
    const nlohmann::json& data) {
    if (!data.is_object()) {
        return refused(HookVerdict::malformed, "an element of the batch is not an object");
    }
    std::string name = text_at(data, "event", 64);
    auto kind = kind_of(name);
    if (!kind) {
        return std::monostate{};
    }
    intake::VouchedEvent event;
    event.channel = store::Channel::sendgrid;
    event.kind = *kind;
    event.recipient = text_at(data, "email", kMaxRecipient);
    if (event.recipient.empty()) {
        return refused(HookVerdict::malformed, "a " + name + " event without a usable email");
    }
    event.proof = "sendgrid signature";
    event.provider = "sendgrid.net";
    event.event_id = text_at(data, "sg_event_id", kMaxEventId);
    event.feedback_type = *kind == store::ComplaintKind::complaint ? "abuse" : "";
    event.occurred_at = unix_time_at(data, "timestamp");
    event.original_message_id = text::strip_brackets(text_at(data, "smtp-id", kMaxMessageId));
    event.detail = {{"event", name}, {"sg_event_id", event.event_id}};
    for (const char* kept : {"sg_message_id", "asm_group_id", "category"}) {
        keep_bounded(data, kept, kMaxDetailField, event.detail);
    }
    return event;
}

HookReading read_batch(const nlohmann::json& batch, HookReading reading) {
    std::size_t skipped = 0;
    for (const auto& element : batch) {
        auto read = read_event(element);
        if (auto* refusal = std::get_if<HookReading>(&read)) {
            return std::move(*refusal);
        }
        if (auto* event = std::get_if<intake::VouchedEvent>(&read)) {
            reading.events.push_back(std::move(*event));
        } else {
            ++skipped;
        }
    }
    if (reading.events.empty()) {
        reading.verdict = HookVerdict::ignored;
        reading.why = std::to_string(skipped) + " events, none a complaint or unsubscribe";
        return reading;
    }
    reading.verdict = HookVerdict::event;
    reading.why = std::to_string(reading.events.size()) + " acted on, " + std::to_string(skipped) +
                  " skipped";
    return reading;
}

}  // namespace

HookReading read_sendgrid(const Request& request, const SendGridCheck& check,
                          std::chrono::system_clock::time_point now) {
    auto signature_text = request.headers.find(kSignatureHeader);
    auto timestamp = request.headers.find(kTimestampHeader);
    if (!signature_text || !timestamp) {
        return refused(HookVerdict::bad_signature, "signature or timestamp header missing");
    }
    if (signature_text->size() > kMaxSignatureText || timestamp->empty() ||
        timestamp->size() > kMaxTimestampDigits || !all_digits(*timestamp)) {
        return refused(HookVerdict::bad_signature, "signature headers not well formed");
    }
    auto signature = crypto::base64_decode(*signature_text);
    if (!signature) {
        return refused(HookVerdict::bad_signature, "signature is not base64");
    }
    if (check.public_key == nullptr ||
        !check.public_key->verify({*timestamp, request.body}, *signature)) {
        return refused(HookVerdict::bad_signature, "signature does not match the public key");
    }
    auto signed_at = std::chrono::system_clock::time_point(
        std::chrono::seconds(std::stoll(std::string(*timestamp))));
    if (signed_at + check.max_age < now || signed_at > now + kFutureSkew) {
        return refused(HookVerdict::stale, "signed outside the accepted window");
    }
    auto json = parse_json_body(request.body);
    if (!json || !json->is_array()) {
        return refused(HookVerdict::malformed, "body is not a JSON array");
    }
    if (json->size() > kSendGridMaxEvents) {
        return refused(HookVerdict::malformed, "more than " + std::to_string(kSendGridMaxEvents) +
                                                   " events in one request");
    }
    HookReading reading;
    // ECDSA signatures are malleable: (r, n - s) verifies as well as (r, s),
    // so the signature does not name a request. The signed bytes do.
    reading.replay_token = crypto::Sha256().update(*timestamp).update(request.body).hex();
    reading.replay_until = signed_at + check.max_age + kFutureSkew;
    return read_batch(*json, std::move(reading));
}

}  // namespace fbl::web::hooks
