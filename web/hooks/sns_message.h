#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

// The JSON document Amazon SNS posts to an HTTPS subscriber, its fields
// read and length-capped before anything is fetched or verified.
namespace fbl::web::hooks {

enum class SnsType { notification, subscription_confirmation, unsubscribe_confirmation };

enum class SnsSignatureVersion { v1_sha1, v2_sha256 };

struct SnsMessage {
    SnsType type = SnsType::notification;
    std::string message;  // for a notification, the publisher's text (SES: JSON)
    std::string message_id;
    std::optional<std::string> subject;  // notifications only, when the publisher set one
    std::string timestamp;               // ISO 8601, UTC
    std::string topic_arn;
    std::string subscribe_url;  // confirmations only
    std::string token;          // confirmations only
    SnsSignatureVersion signature_version = SnsSignatureVersion::v1_sha1;
    std::string signature;  // base64, as sent
    std::string signing_cert_url;
};

// Why read_sns_message refused: malformed (not SNS's shape, a field too
// long) or unsigned (no usable signature fields).
enum class SnsProblem { malformed, unsigned_ };

struct SnsRead {
    std::optional<SnsMessage> message;  // or:
    SnsProblem problem = SnsProblem::malformed;
    std::string why;
};

// Every field is a string no longer than its cap; Type, Message, MessageId,
// Timestamp and TopicArn are required, and SubscribeURL and Token for a
// confirmation. A message of 256 KiB is SNS's own limit.
SnsRead read_sns_message(const nlohmann::json& document);

// The text SNS signed: for a notification the keys Message, MessageId,
// Subject (only when present), Timestamp, TopicArn, Type; for a
// confirmation Message, MessageId, SubscribeURL, Timestamp, Token,
// TopicArn, Type; each as "Key\nvalue\n", values as decoded from JSON.
std::string sns_string_to_sign(const SnsMessage& message);

const char* to_string(SnsType type);  // "Notification", ...

}  // namespace fbl::web::hooks
