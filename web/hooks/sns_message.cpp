#include "web/hooks/sns_message.h"

namespace fbl::web::hooks {
namespace {

constexpr std::size_t kMaxType = 32;
constexpr std::size_t kMaxMessage = 256 * 1024;
constexpr std::size_t kMaxMessageId = 128;
constexpr std::size_t kMaxSubject = 512;  // SNS: 100 characters, of up to 4 bytes each
constexpr std::size_t kMaxTimestamp = 32;
constexpr std::size_t kMaxTopicArn = 256;
constexpr std::size_t kMaxUrl = 2048;
constexpr std::size_t kMaxToken = 1024;
constexpr std::size_t kMaxSignature = 1024;  // base64 of a 4096-bit RSA signature is 684
constexpr std::size_t kMaxVersion = 4;

// Reads capped string fields; the first one absent-but-required, not a
// string, or too long spoils the whole document.
class Fields {
  public:
    explicit Fields(const nlohmann::json& object) : object_(object) {}

    bool has(const char* name) const {
        auto found = object_.find(name);
        return found != object_.end() && !found->is_null();
    }

    std::string text(const char* name, std::size_t limit, bool required = true) {
        auto found = object_.find(name);
        if (found == object_.end() || found->is_null()) {
            if (required) {
                fail(name, "is missing");
            }
            return {};
        }
        if (!found->is_string()) {
            fail(name, "is not a string");
            return {};
        }
        const auto& value = found->get_ref<const std::string&>();
        if (value.size() > limit) {
            fail(name, "is longer than " + std::to_string(limit) + " bytes");
            return {};
        }
        return value;
    }

    const std::string& problem() const { return problem_; }

  private:
    void fail(const char* name, const std::string& what) {
        if (problem_.empty()) {
            problem_ = std::string(name) + " " + what;
        }
    }

    const nlohmann::json& object_;
    std::string problem_;
};

std::optional<SnsType> type_of(const std::string& text) {
    if (text == "Notification") {
        return SnsType::notification;
    }
    if (text == "SubscriptionConfirmation") {
        return SnsType::subscription_confirmation;
    }
    if (text == "UnsubscribeConfirmation") {
        return SnsType::unsubscribe_confirmation;
    }
    return std::nullopt;
}

SnsRead refused(SnsProblem problem, std::string why) {
    SnsRead read;
    read.problem = problem;
    read.why = std::move(why);
    return read;
}

void add(std::string& text, const char* key, const std::string& value) {
    text.append(key).append("\n").append(value).append("\n");
}

}  // namespace

const char* to_string(SnsType type) {
    switch (type) {
        case SnsType::notification:
            return "Notification";
        case SnsType::subscription_confirmation:
            return "SubscriptionConfirmation";
        case SnsType::unsubscribe_confirmation:
            return "UnsubscribeConfirmation";
    }
    return "Notification";
}

SnsRead read_sns_message(const nlohmann::json& document) {
    if (!document.is_object()) {
        return refused(SnsProblem::malformed, "body is not a JSON object");
    }
    Fields fields(document);
    auto type = type_of(fields.text("Type", kMaxType));
    if (!fields.problem().empty() || !type) {
        return refused(SnsProblem::malformed, "Type is not an SNS message type");
    }
    SnsMessage message;
    message.type = *type;
    message.message = fields.text("Message", kMaxMessage);
    message.message_id = fields.text("MessageId", kMaxMessageId);
    message.timestamp = fields.text("Timestamp", kMaxTimestamp);
    message.topic_arn = fields.text("TopicArn", kMaxTopicArn);
    if (*type == SnsType::notification) {
        if (fields.has("Subject")) {
            message.subject = fields.text("Subject", kMaxSubject);
        }
    } else {
        message.subscribe_url = fields.text("SubscribeURL", kMaxUrl);
        message.token = fields.text("Token", kMaxToken);
    }
    std::string version = fields.text("SignatureVersion", kMaxVersion, false);
    message.signature = fields.text("Signature", kMaxSignature, false);
    message.signing_cert_url = fields.text("SigningCertURL", kMaxUrl, false);
    if (!fields.problem().empty()) {
        return refused(SnsProblem::malformed, fields.problem());
    }
    if (version != "1" && version != "2") {
        return refused(SnsProblem::unsigned_, "SignatureVersion is neither 1 nor 2");
    }
    message.signature_version =
        version == "1" ? SnsSignatureVersion::v1_sha1 : SnsSignatureVersion::v2_sha256;
    if (message.signature.empty() || message.signing_cert_url.empty()) {
        return refused(SnsProblem::unsigned_, "no Signature or SigningCertURL");
    }
    SnsRead read;
    read.message = std::move(message);
    return read;
}

std::string sns_string_to_sign(const SnsMessage& message) {
    std::string text;
    add(text, "Message", message.message);
    add(text, "MessageId", message.message_id);
    if (message.type == SnsType::notification) {
        if (message.subject) {
            add(text, "Subject", *message.subject);
        }
    } else {
        add(text, "SubscribeURL", message.subscribe_url);
    }
    add(text, "Timestamp", message.timestamp);
    if (message.type != SnsType::notification) {
        add(text, "Token", message.token);
    }
    add(text, "TopicArn", message.topic_arn);
    add(text, "Type", to_string(message.type));
    return text;
}

}  // namespace fbl::web::hooks
