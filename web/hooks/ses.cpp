#include "web/hooks/ses.h"

#include <algorithm>

#include "web/hooks/iso_timestamp.h"
#include "web/hooks/ses_notification.h"
#include "web/hooks/sns_message.h"
#include "web/hooks/sns_signature.h"
#include "web/hooks/sns_url.h"
#include "web/json_body.h"

namespace fbl::web::hooks {
namespace {

// SNS's clock and ours may differ a little; more is not a delivery.
constexpr std::chrono::seconds kFutureSkew{300};

HookReading refused(HookVerdict verdict, std::string why) {
    HookReading reading;
    reading.verdict = verdict;
    reading.why = std::move(why);
    return reading;
}

bool is_allowed_topic(const SesCheck& check, const std::string& topic_arn) {
    return std::find(check.topic_arns.begin(), check.topic_arns.end(), topic_arn) !=
           check.topic_arns.end();
}

// SNS also names the type in a header; a request whose header and body
// disagree is not one SNS sent.
bool header_agrees(const Request& request, SnsType type) {
    auto header = request.headers.find("x-amz-sns-message-type");
    return !header || *header == to_string(type);
}

// The checks that cost nothing, in the order the header comment of read_ses gives.
std::optional<HookReading> refusal_before_crypto(const Request& request, const SnsMessage& message,
                                                 const SesCheck& check,
                                                 std::chrono::system_clock::time_point now) {
    if (!header_agrees(request, message.type)) {
        return refused(HookVerdict::malformed, "x-amz-sns-message-type disagrees with Type");
    }
    if (!is_allowed_topic(check, message.topic_arn)) {
        return refused(HookVerdict::unknown_topic,
                       "TopicArn is not one of webhooks.ses.topic_arns");
    }
    if (!is_sns_url(message.signing_cert_url, SnsUrlUse::signing_certificate)) {
        return refused(HookVerdict::bad_signature, "SigningCertURL is not an SNS certificate URL");
    }
    auto signed_at = parse_iso_timestamp(message.timestamp);
    if (!signed_at) {
        return refused(HookVerdict::malformed, "Timestamp is not ISO 8601 UTC");
    }
    if (*signed_at + check.max_age < now || *signed_at > now + kFutureSkew) {
        return refused(HookVerdict::stale, "signed outside the accepted window");
    }
    return std::nullopt;
}

std::optional<HookReading> signature_refusal(const SnsMessage& message, const SesCheck& check,
                                             std::chrono::system_clock::time_point now) {
    auto pem = check.certificates == nullptr
                   ? std::nullopt
                   : check.certificates->pem_for(message.signing_cert_url);
    if (!pem) {
        return refused(HookVerdict::bad_signature, "the signing certificate could not be had");
    }
    auto result = check_sns_signature(*pem, sns_string_to_sign(message), message.signature,
                                      message.signature_version, now);
    if (result != SnsSignatureCheck::valid) {
        return refused(HookVerdict::bad_signature, to_string(result));
    }
    return std::nullopt;
}

HookReading read_verified(const SnsMessage& message, const SesCheck& check,
                          std::chrono::system_clock::time_point signed_at) {
    HookReading reading;
    reading.replay_token = message.message_id;
    reading.replay_until = signed_at + check.max_age + kFutureSkew;
    switch (message.type) {
        case SnsType::notification:
            return read_ses_notification(message.message, check.reference_header_name,
                                         std::move(reading));
        case SnsType::subscription_confirmation:
            if (!is_sns_url(message.subscribe_url, SnsUrlUse::subscribe)) {
                return refused(HookVerdict::malformed, "SubscribeURL is not an SNS subscribe URL");
            }
            reading.verdict = HookVerdict::confirm_subscription;
            reading.why = "SNS asks to confirm the subscription";
            reading.confirm_url = message.subscribe_url;
            return reading;
        case SnsType::unsubscribe_confirmation:
            reading.verdict = HookVerdict::ignored;
            reading.why = "SNS says the subscription ended; it is not renewed from here";
            return reading;
    }
    return refused(HookVerdict::malformed, "unknown SNS type");
}

}  // namespace

HookReading read_ses(const Request& request, const SesCheck& check,
                     std::chrono::system_clock::time_point now) {
    auto document = parse_json_body(request.body);
    if (!document) {
        return refused(HookVerdict::malformed, "body is not JSON (or nests too deep)");
    }
    auto read = read_sns_message(*document);
    if (!read.message) {
        return refused(read.problem == SnsProblem::malformed ? HookVerdict::malformed
                                                             : HookVerdict::bad_signature,
                       read.why);
    }
    const SnsMessage& message = *read.message;
    if (auto refusal = refusal_before_crypto(request, message, check, now)) {
        return *refusal;
    }
    if (auto refusal = signature_refusal(message, check, now)) {
        return *refusal;
    }
    return read_verified(message, check, *parse_iso_timestamp(message.timestamp));
}

}  // namespace fbl::web::hooks
