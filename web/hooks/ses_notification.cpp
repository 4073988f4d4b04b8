#include "web/hooks/ses_notification.h"

#include "common/text.h"
#include "web/hooks/iso_timestamp.h"
#include "web/json_body.h"

namespace fbl::web::hooks {
namespace {

constexpr std::size_t kMaxRecipient = 320;
constexpr std::size_t kMaxFeedbackId = 256;
constexpr std::size_t kMaxMessageId = 998;
constexpr std::size_t kMaxHeaderValue = 998;
constexpr std::size_t kMaxShortText = 256;

HookReading refused(HookVerdict verdict, std::string why) {
    HookReading reading;
    reading.verdict = verdict;
    reading.why = std::move(why);
    return reading;
}

HookReading ignored(HookReading reading, std::string why) {
    reading.verdict = HookVerdict::ignored;
    reading.why = std::move(why);
    return reading;
}

const nlohmann::json& member(const nlohmann::json& object, const char* name) {
    static const nlohmann::json kNone;
    if (!object.is_object()) {
        return kNone;
    }
    auto found = object.find(name);
    return found == object.end() ? kNone : *found;
}

// A JSON string no longer than `limit`, else empty.
std::string text_at(const nlohmann::json& object, const char* name, std::size_t limit) {
    const auto& found = member(object, name);
    if (!found.is_string()) {
        return {};
    }
    const auto& text = found.get_ref<const std::string&>();
    return text.size() <= limit ? text : std::string();
}

// The first of mail.headers[] (a list of {name, value}) called name.
std::string header_value(const nlohmann::json& mail, std::string_view name) {
    const auto& headers = member(mail, "headers");
    if (!headers.is_array()) {
        return {};
    }
    for (const auto& header : headers) {
        if (text::iequals(text_at(header, "name", kMaxShortText), name)) {
            return text_at(header, "value", kMaxHeaderValue);
        }
    }
    return {};
}

std::string original_message_id(const nlohmann::json& mail) {
    std::string from_headers = header_value(mail, "Message-ID");
    if (!from_headers.empty()) {
        return from_headers;
    }
    return text_at(member(mail, "commonHeaders"), "messageId", kMaxMessageId);
}

// The notification's kind: "Complaint", "Bounce", ...; "" when neither field is there.
std::string kind_of(const nlohmann::json& notification) {
    std::string kind = text_at(notification, "notificationType", kMaxShortText);
    return kind.empty() ? text_at(notification, "eventType", kMaxShortText) : kind;
}

intake::VouchedEvent base_event(const nlohmann::json& complaint, const nlohmann::json& mail,
                                const std::string& reference_header_name) {
    intake::VouchedEvent event;
    event.channel = store::Channel::ses;
    event.kind = store::ComplaintKind::complaint;
    event.proof = "amazon sns signature";
    event.provider = "amazonses.com";
    std::string feedback_type = text_at(complaint, "complaintFeedbackType", kMaxShortText);
    event.feedback_type = feedback_type.empty() ? "abuse" : feedback_type;
    event.original_message_id = original_message_id(mail);
    if (!reference_header_name.empty()) {
        event.reference_header = header_value(mail, reference_header_name);
    }
    event.occurred_at = parse_iso_timestamp(text_at(complaint, "arrivalDate", kMaxShortText));
    if (!event.occurred_at) {
        event.occurred_at = parse_iso_timestamp(text_at(complaint, "timestamp", kMaxShortText));
    }
    event.detail = {{"feedbackId", text_at(complaint, "feedbackId", kMaxFeedbackId)},
                    {"messageId", text_at(mail, "messageId", kMaxShortText)},
                    {"sourceArn", text_at(mail, "sourceArn", kMaxShortText)}};
    return event;
}

HookReading read_complaint(const nlohmann::json& notification,
                           const std::string& reference_header_name, HookReading reading) {
    const auto& complaint = member(notification, "complaint");
    const auto& mail = member(notification, "mail");
    if (!complaint.is_object()) {
        return refused(HookVerdict::malformed, "Complaint without a complaint object");
    }
    if (text_at(complaint, "complaintFeedbackType", kMaxShortText) == "not-spam") {
        return ignored(std::move(reading), "the person said this is not spam");
    }
    std::string feedback_id = text_at(complaint, "feedbackId", kMaxFeedbackId);
    const auto& recipients = member(complaint, "complainedRecipients");
    if (feedback_id.empty() || !recipients.is_array() || recipients.empty() ||
        recipients.size() > kMaxComplainedRecipients) {
        return refused(HookVerdict::malformed,
                       "complaint without a feedbackId or with no, or over " +
                           std::to_string(kMaxComplainedRecipients) + ", complained recipients");
    }
    auto base = base_event(complaint, mail, reference_header_name);
    for (const auto& recipient : recipients) {
        std::string address =
            text::strip_brackets(text_at(recipient, "emailAddress", kMaxRecipient));
        if (address.empty()) {
            return refused(HookVerdict::malformed, "a complained recipient without an address");
        }
        auto event = base;
        event.recipient = address;
        event.event_id = feedback_id + ":" + address;
        reading.events.push_back(std::move(event));
    }
    reading.verdict = HookVerdict::event;
    return reading;
}

}  // namespace

HookReading read_ses_notification(std::string_view message,
                                  const std::string& reference_header_name, HookReading reading) {
    auto notification = parse_json_body(message);
    if (!notification || !notification->is_object()) {
        return refused(HookVerdict::malformed, "Message is not a JSON object");
    }
    std::string kind = kind_of(*notification);
    if (kind.empty()) {
        return refused(HookVerdict::malformed, "Message has no notificationType or eventType");
    }
    if (kind != "Complaint") {
        return ignored(std::move(reading), "SES " + kind.substr(0, 32) + " is not acted on");
    }
    return read_complaint(*notification, reference_header_name, std::move(reading));
}

}  // namespace fbl::web::hooks
