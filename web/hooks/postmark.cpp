#include "web/hooks/postmark.h"

#include <algorithm>

#include "common/crypto.h"
#include "common/text.h"
#include "web/hooks/fields.h"
#include "web/json_body.h"

namespace fbl::web::hooks {
namespace {

// "Basic " and the base64 of a user and password of a few hundred bytes.
constexpr std::size_t kMaxAuthorization = 1024;
constexpr std::size_t kMaxDetailField = 1024;
constexpr std::size_t kMaxChangedAt = 64;

bool from_allowed_source(const Request& request, const PostmarkCheck& check) {
    return check.allowed_sources.empty() ||
           std::any_of(check.allowed_sources.begin(), check.allowed_sources.end(),
                       [&](const config::Network& network) {
                           return network.contains(request.client_address);
                       });
}

std::string_view trimmed(std::string_view text) {
    auto blank = [](char c) { return c == ' ' || c == '\t'; };
    while (!text.empty() && blank(text.front())) {
        text.remove_prefix(1);
    }
    while (!text.empty() && blank(text.back())) {
        text.remove_suffix(1);
    }
    return text;
}

// Whether the request carries our Basic credentials (RFC 7617). The whole
// decoded "user:password" is compared at once, in constant time, so neither
// a right user nor a right prefix of the password shows in the timing.
bool has_our_credentials(const Request& request, std::string_view credentials) {
    auto header = request.headers.find("Authorization");
    if (!header || header->size() > kMaxAuthorization || credentials.empty()) {
        return false;
    }
    std::string_view value = trimmed(*header);
    constexpr std::string_view kScheme = "basic";
    if (value.size() <= kScheme.size() ||
        !text::iequals(value.substr(0, kScheme.size()), kScheme) ||
        (value[kScheme.size()] != ' ' && value[kScheme.size()] != '\t')) {
        return false;
    }
    auto decoded = crypto::base64_decode(trimmed(value.substr(kScheme.size())));
    return decoded && crypto::same_in_constant_time(*decoded, credentials);
}

intake::VouchedEvent postmark_event(store::ComplaintKind kind, std::string recipient) {
    intake::VouchedEvent event;
    event.channel = store::Channel::postmark;
    event.kind = kind;
    event.recipient = std::move(recipient);
    event.proof = "postmark basic credentials";
    event.provider = "postmarkapp.com";
    event.feedback_type = kind == store::ComplaintKind::complaint ? "abuse" : "";
    return event;
}

// Postmark's MessageID is its own id of the message, not the RFC 5322
// Message-ID, and the record carries no headers: it is kept in the detail
// for the operator, and attribution falls to the send log and mailing id.
void keep_detail(const nlohmann::json& record, std::initializer_list<const char*> names,
                 nlohmann::json& detail) {
    for (const char* name : names) {
        keep_bounded(record, name, kMaxDetailField, detail);
    }
}

std::string id_text(const nlohmann::json& record) {
    auto found = record.find("ID");
    if (found != record.end() && found->is_number_integer()) {
        return std::to_string(found->get<std::int64_t>());
    }
    return text_at(record, "ID", kMaxEventId);
}

HookReading spam_complaint(const nlohmann::json& record) {
    std::string recipient = text_at(record, "Email", kMaxRecipient);
    if (recipient.empty()) {
        return refused(HookVerdict::malformed, "SpamComplaint without a usable Email");
    }
    auto event = postmark_event(store::ComplaintKind::complaint, std::move(recipient));
    if (std::string id = id_text(record); !id.empty()) {
        event.event_id = "spam:" + id;
    }
    keep_detail(record,
                {"RecordType", "ID", "MessageID", "ServerID", "MessageStream", "Tag", "BouncedAt",
                 "Metadata"},
                event.detail);
    HookReading reading;
    reading.verdict = HookVerdict::event;
    reading.events.push_back(std::move(event));
    return reading;
}

HookReading ignored(std::string why) {
    HookReading reading;
    reading.verdict = HookVerdict::ignored;
    reading.why = std::move(why);
    return reading;
}

// A suppression is an unsubscribe only when the recipient asked for it:
// Postmark records a recipient's unsubscribe as ManualSuppression with
// Origin Recipient. A HardBounce is no one's choice, a SpamComplaint comes
// as its own SpamComplaint record, and a suppression by the account
// (Customer, Admin) is the sender's own act.
HookReading subscription_change(const nlohmann::json& record) {
    auto suppress = record.find("SuppressSending");
    if (suppress == record.end() || !suppress->is_boolean()) {
        return refused(HookVerdict::malformed, "SubscriptionChange without SuppressSending");
    }
    if (!suppress->get<bool>()) {
        return ignored("a reactivation");
    }
    std::string reason = text_at(record, "SuppressionReason", 64);
    std::string origin = text_at(record, "Origin", 64);
    if (reason != "ManualSuppression" || origin != "Recipient") {
        return ignored("suppression '" + reason + "' by '" + origin + "' is not an unsubscribe");
    }
    std::string recipient = text_at(record, "Recipient", kMaxRecipient);
    if (recipient.empty()) {
        return refused(HookVerdict::malformed, "SubscriptionChange without a usable Recipient");
    }
    auto event = postmark_event(store::ComplaintKind::unsubscribe, recipient);
    // Postmark gives a subscription change no id: when and whom name it.
    if (std::string changed_at = text_at(record, "ChangedAt", kMaxChangedAt); !changed_at.empty()) {
        event.event_id = "subscription:" + changed_at + ":" + recipient;
    }
    keep_detail(record,
                {"RecordType", "MessageID", "ServerID", "MessageStream", "ChangedAt", "Origin",
                 "SuppressionReason", "Tag", "Metadata"},
                event.detail);
    HookReading reading;
    reading.verdict = HookVerdict::event;
    reading.events.push_back(std::move(event));
    return reading;
}

}  // namespace

HookReading read_postmark(const Request& request, const PostmarkCheck& check,
                          std::chrono::system_clock::time_point /*now: nothing is signed*/) {
    if (!from_allowed_source(request, check)) {
        return refused(HookVerdict::forbidden_source,
                       "client " + request.client_address.substr(0, 64) +
                           " is outside webhooks.postmark.allowed_sources");
    }
    if (!has_our_credentials(request, check.credentials)) {
        return refused(HookVerdict::bad_signature, "no or wrong Basic credentials");
    }
    auto json = parse_json_body(request.body);
    if (!json || !json->is_object()) {
        return refused(HookVerdict::malformed, "body is not a JSON object");
    }
    std::string type = text_at(*json, "RecordType", 64);
    if (type == "SpamComplaint") {
        return spam_complaint(*json);
    }
    if (type == "SubscriptionChange") {
        return subscription_change(*json);
    }
    return ignored("RecordType '" + type.substr(0, 32) + "' is not acted on");
}

}  // namespace fbl::web::hooks
