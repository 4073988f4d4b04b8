#include "web/hooks/ses.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "sns_test_signer.h"
#include "web/hooks/iso_timestamp.h"
#include "web/hooks/ses_notification.h"
#include "web/hooks/sns_message.h"

namespace fbl::web::hooks {
namespace {

using std::chrono::hours;
using std::chrono::seconds;
using std::chrono::system_clock;
using testing::TestCertificate;
using testing::TestSnsSigner;

constexpr const char* kTopic = "arn:aws:sns:eu-west-1:123456789012:ses-feedback";
constexpr const char* kCertUrl =
    "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-0123456789abcdef.pem";
constexpr const char* kSubscribeUrl =
    "https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:eu-"
    "west-1:123456789012:ses-feedback&Token=2336412f37fb687f5d51e6e2425c464de";
constexpr const char* kTimestamp = "2026-12-02T10:00:00.123Z";
const system_clock::time_point kSignedAt = *parse_iso_timestamp(kTimestamp);

TestCertificate valid_certificate(std::string common_name = "sns.amazonaws.com") {
    return {std::move(common_name), kSignedAt - hours(24 * 30), kSignedAt + hours(24 * 365)};
}

const TestSnsSigner& signer() {
    static TestSnsSigner signer(valid_certificate());
    return signer;
}

// Hands out one PEM and counts how often it was asked.
class CountingCertificates final : public SnsCertificates {
  public:
    explicit CountingCertificates(std::string pem) : pem_(std::move(pem)) {}
    std::optional<std::string> pem_for(const std::string& url) override {
        ++calls;
        last_url = url;
        return pem_;
    }
    int calls = 0;
    std::string last_url;

  private:
    std::string pem_;
};

nlohmann::json complaint_message(std::vector<std::string> recipients,
                                 std::string feedback_type = "abuse") {
    nlohmann::json complained = nlohmann::json::array();
    for (const auto& address : recipients) {
        complained.push_back({{"emailAddress", address}});
    }
    nlohmann::json complaint = {{"complainedRecipients", complained},
                                {"timestamp", "2026-12-02T09:59:58.000Z"},
                                {"arrivalDate", "2026-12-02T09:59:50.000Z"},
                                {"feedbackId", "0100018c-fea503bc-7497-000000"},
                                {"userAgent", "Yahoo!-Mail-Feedback/2.0"}};
    if (!feedback_type.empty()) {
        complaint["complaintFeedbackType"] = feedback_type;
    }
    return {{"notificationType", "Complaint"},
            {"complaint", complaint},
            {"mail",
             {{"messageId", "0100018c-ses-message-id-000000"},
              {"sourceArn", "arn:aws:ses:eu-west-1:123456789012:identity/example.org"},
              {"headersTruncated", false},
              {"headers",
               {{{"name", "From"}, {"value", "news@example.org"}},
                {{"name", "Message-ID"}, {"value", "<20261201.1@mail.example.org>"}},
                {{"name", "X-FBL-Ref"}, {"value", "v1.k1.abcdef"}}}},
              {"commonHeaders", {{"messageId", "<common@mail.example.org>"}}}}}};
}

SnsMessage notification(const nlohmann::json& ses, SnsSignatureVersion version) {
    SnsMessage message;
    message.type = SnsType::notification;
    message.message = ses.dump();
    message.message_id = "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324";
    message.timestamp = kTimestamp;
    message.topic_arn = kTopic;
    message.signature_version = version;
    message.signing_cert_url = kCertUrl;
    signer().sign(message);
    return message;
}

SnsMessage confirmation() {
    SnsMessage message;
    message.type = SnsType::subscription_confirmation;
    message.message = "You have chosen to subscribe to the topic " + std::string(kTopic);
    message.message_id = "165545c9-2a5c-472c-8df2-7ff2be2b3b1b";
    message.timestamp = kTimestamp;
    message.topic_arn = kTopic;
    message.subscribe_url = kSubscribeUrl;
    message.token = "2336412f37fb687f5d51e6e2425c464de";
    message.signature_version = SnsSignatureVersion::v2_sha256;
    message.signing_cert_url = kCertUrl;
    signer().sign(message);
    return message;
}

// The document SNS would post for message.
nlohmann::json document(const SnsMessage& message) {
    nlohmann::json json = {
        {"Type", to_string(message.type)},
        {"MessageId", message.message_id},
        {"TopicArn", message.topic_arn},
        {"Message", message.message},
        {"Timestamp", message.timestamp},
        {"SignatureVersion", message.signature_version == SnsSignatureVersion::v1_sha1 ? "1" : "2"},
        {"Signature", message.signature},
        {"SigningCertURL", message.signing_cert_url},
    };
    if (message.subject) {
        json["Subject"] = *message.subject;
    }
    if (message.type == SnsType::notification) {
        json["UnsubscribeURL"] =
            "https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=x";
    } else {
        json["SubscribeURL"] = message.subscribe_url;
        json["Token"] = message.token;
    }
    return json;
}

Request request_for(const nlohmann::json& json) {
    Request request;
    request.method = Method::post;
    request.path = "/hooks/ses";
    request.body = json.dump();
    request.headers.add("x-amz-sns-message-type", json.value("Type", ""));
    return request;
}

SesCheck check_with(SnsCertificates* certificates) {
    SesCheck check;
    check.topic_arns = {kTopic};
    check.certificates = certificates;
    return check;
}

struct Reader {
    CountingCertificates certificates{signer().certificate_pem()};
    SesCheck check() { return check_with(&certificates); }
    HookReading read(const nlohmann::json& json, system_clock::time_point now = kSignedAt) {
        return read_ses(request_for(json), check(), now);
    }
};

TEST(SnsStringToSign, IsTheDocumentedKeysInTheirOrder) {
    SnsMessage message;
    message.type = SnsType::notification;
    message.message = "Hello\nworld";
    message.message_id = "id-1";
    message.timestamp = kTimestamp;
    message.topic_arn = kTopic;
    EXPECT_EQ(sns_string_to_sign(message), "Message\nHello\nworld\nMessageId\nid-1\nTimestamp\n" +
                                               std::string(kTimestamp) + "\nTopicArn\n" + kTopic +
                                               "\nType\nNotification\n");
    message.subject = "Hi";
    EXPECT_EQ(sns_string_to_sign(message),
              "Message\nHello\nworld\nMessageId\nid-1\nSubject\nHi\nTimestamp\n" +
                  std::string(kTimestamp) + "\nTopicArn\n" + kTopic + "\nType\nNotification\n");
    EXPECT_EQ(sns_string_to_sign(confirmation()),
              "Message\nYou have chosen to subscribe to the topic " + std::string(kTopic) +
                  "\nMessageId\n165545c9-2a5c-472c-8df2-7ff2be2b3b1b\nSubscribeURL\n" +
                  kSubscribeUrl + "\nTimestamp\n" + kTimestamp +
                  "\nToken\n2336412f37fb687f5d51e6e2425c464de\nTopicArn\n" + kTopic +
                  "\nType\nSubscriptionConfirmation\n");
}

TEST(Ses, AComplaintSignedWithSha1IsAComplaintEvent) {
    Reader reader;
    auto reading = reader.read(document(
        notification(complaint_message({"Alice@Example.com"}), SnsSignatureVersion::v1_sha1)));
    ASSERT_EQ(reading.verdict, HookVerdict::event) << reading.why;
    ASSERT_EQ(reading.events.size(), 1u);
    const auto& event = reading.events.front();
    EXPECT_EQ(event.channel, store::Channel::ses);
    EXPECT_EQ(event.kind, store::ComplaintKind::complaint);
    EXPECT_EQ(event.recipient, "Alice@Example.com");
    EXPECT_EQ(event.event_id, "0100018c-fea503bc-7497-000000:Alice@Example.com");
    EXPECT_EQ(event.feedback_type, "abuse");
    EXPECT_EQ(event.original_message_id, "<20261201.1@mail.example.org>");
    EXPECT_EQ(event.reference_header, "v1.k1.abcdef");
    EXPECT_TRUE(event.mailing_id.empty());
    EXPECT_EQ(event.occurred_at, parse_iso_timestamp("2026-12-02T09:59:50.000Z"));
    EXPECT_EQ(event.detail["feedbackId"], "0100018c-fea503bc-7497-000000");
    EXPECT_EQ(event.detail["messageId"], "0100018c-ses-message-id-000000");
    EXPECT_EQ(event.detail["sourceArn"], "arn:aws:ses:eu-west-1:123456789012:identity/example.org");
    EXPECT_EQ(reading.replay_token, "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324");
    EXPECT_GE(reading.replay_until, kSignedAt + hours(1));
    EXPECT_EQ(reader.certificates.calls, 1);
    EXPECT_EQ(reader.certificates.last_url, kCertUrl);
}

TEST(Ses, AComplaintSignedWithSha256AndASubjectIsAComplaintEvent) {
    Reader reader;
    auto message =
        notification(complaint_message({"alice@example.com"}), SnsSignatureVersion::v2_sha256);
    message.subject = "Amazon SES Email Event Notification";
    signer().sign(message);
    auto reading = reader.read(document(message));
    ASSERT_EQ(reading.verdict, HookVerdict::event) << reading.why;
    EXPECT_EQ(reading.events.size(), 1u);
}

TEST(Ses, EventPublishingsComplaintIsAnEventTooAndCommonHeadersGiveTheMessageId) {
    Reader reader;
    auto ses = complaint_message({"alice@example.com"});
    ses.erase("notificationType");
    ses["eventType"] = "Complaint";
    ses["mail"].erase("headers");
    auto reading = reader.read(document(notification(ses, SnsSignatureVersion::v2_sha256)));
    ASSERT_EQ(reading.verdict, HookVerdict::event) << reading.why;
    EXPECT_EQ(reading.events.front().original_message_id, "<common@mail.example.org>");
    EXPECT_TRUE(reading.events.front().reference_header.empty());
}

TEST(Ses, TwoRecipientsAreTwoEventsWithTheirOwnIds) {
    Reader reader;
    auto reading = reader.read(document(notification(
        complaint_message({"a@example.com", "b@example.com"}), SnsSignatureVersion::v2_sha256)));
    ASSERT_EQ(reading.verdict, HookVerdict::event) << reading.why;
    ASSERT_EQ(reading.events.size(), 2u);
    EXPECT_EQ(reading.events[0].recipient, "a@example.com");
    EXPECT_EQ(reading.events[1].recipient, "b@example.com");
    EXPECT_NE(reading.events[0].event_id, reading.events[1].event_id);
}

TEST(Ses, OverFiftyRecipientsOrNoneIsMalformed) {
    Reader reader;
    std::vector<std::string> many(kMaxComplainedRecipients + 1, "a@example.com");
    EXPECT_EQ(
        reader.read(document(notification(complaint_message(many), SnsSignatureVersion::v2_sha256)))
            .verdict,
        HookVerdict::malformed);
    EXPECT_EQ(
        reader.read(document(notification(complaint_message({}), SnsSignatureVersion::v2_sha256)))
            .verdict,
        HookVerdict::malformed);
}

TEST(Ses, NotSpamBounceAndDeliveryAreIgnored) {
    Reader reader;
    auto not_spam = complaint_message({"alice@example.com"}, "not-spam");
    EXPECT_EQ(reader.read(document(notification(not_spam, SnsSignatureVersion::v2_sha256))).verdict,
              HookVerdict::ignored);
    for (const char* kind : {"Bounce", "Delivery"}) {
        nlohmann::json ses = {{"notificationType", kind}, {"mail", {{"messageId", "x"}}}};
        auto reading = reader.read(document(notification(ses, SnsSignatureVersion::v2_sha256)));
        EXPECT_EQ(reading.verdict, HookVerdict::ignored) << kind;
        EXPECT_TRUE(reading.events.empty());
    }
}

TEST(Ses, AnyEditedSignedFieldIsABadSignature) {
    Reader reader;
    auto signed_document = document(
        notification(complaint_message({"alice@example.com"}), SnsSignatureVersion::v2_sha256));
    auto edited_message = signed_document;
    edited_message["Message"] =
        complaint_message({"mallory@example.com"}).dump();  // another person
    EXPECT_EQ(reader.read(edited_message).verdict, HookVerdict::bad_signature);
    for (const char* field : {"MessageId", "Timestamp"}) {
        auto edited = signed_document;
        std::string value = edited[field];
        value[value.size() - 2] = value[value.size() - 2] == '1' ? '2' : '1';
        edited[field] = value;
        EXPECT_EQ(reader.read(edited).verdict, HookVerdict::bad_signature) << field;
    }
    auto with_subject = signed_document;
    with_subject["Subject"] = "added";
    EXPECT_EQ(reader.read(with_subject).verdict, HookVerdict::bad_signature);
    auto other_version = signed_document;
    other_version["SignatureVersion"] = "1";
    EXPECT_EQ(reader.read(other_version).verdict, HookVerdict::bad_signature);
    for (const char* field : {"Signature", "SigningCertURL", "SignatureVersion"}) {
        auto unsigned_document = signed_document;
        unsigned_document.erase(field);
        EXPECT_EQ(reader.read(unsigned_document).verdict, HookVerdict::bad_signature) << field;
    }
    auto not_base64 = signed_document;
    not_base64["Signature"] = "!!!!";
    EXPECT_EQ(reader.read(not_base64).verdict, HookVerdict::bad_signature);
}

TEST(Ses, AnotherKeyOrACertificateNotForSnsIsABadSignature) {
    auto message =
        notification(complaint_message({"alice@example.com"}), SnsSignatureVersion::v2_sha256);
    TestSnsSigner other(valid_certificate());
    TestSnsSigner wrong_name(valid_certificate("sns.amazonaws.com.evil.com"));
    TestSnsSigner expired(
        TestCertificate{"sns.amazonaws.com", kSignedAt - hours(48), kSignedAt - hours(24)});
    for (const TestSnsSigner* signer_used : {&other, &wrong_name, &expired}) {
        // The message signed with signer_used's key, checked with another
        // key (other) or with its own unacceptable certificate.
        auto resigned = message;
        if (signer_used != &other) {
            signer_used->sign(resigned);
        }
        CountingCertificates certificates(signer_used->certificate_pem());
        auto reading =
            read_ses(request_for(document(resigned)), check_with(&certificates), kSignedAt);
        EXPECT_EQ(reading.verdict, HookVerdict::bad_signature);
        EXPECT_EQ(reading.why, signer_used == &other ? "bad signature" : "bad certificate");
    }
    CountingCertificates garbage("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
    EXPECT_EQ(read_ses(request_for(document(message)), check_with(&garbage), kSignedAt).verdict,
              HookVerdict::bad_signature);
    EXPECT_EQ(read_ses(request_for(document(message)), check_with(nullptr), kSignedAt).verdict,
              HookVerdict::bad_signature);
}

TEST(Ses, AnotherTopicIsUnknownAndNoCertificateIsFetched) {
    Reader reader;
    auto message =
        notification(complaint_message({"alice@example.com"}), SnsSignatureVersion::v2_sha256);
    message.topic_arn = "arn:aws:sns:eu-west-1:999999999999:someone-else";
    signer().sign(message);
    EXPECT_EQ(reader.read(document(message)).verdict, HookVerdict::unknown_topic);
    EXPECT_EQ(reader.certificates.calls, 0);
}

TEST(Ses, OutsideTheWindowIsStale) {
    Reader reader;
    auto json = document(
        notification(complaint_message({"alice@example.com"}), SnsSignatureVersion::v2_sha256));
    EXPECT_EQ(reader.read(json, kSignedAt + hours(1) - seconds(1)).verdict, HookVerdict::event);
    EXPECT_EQ(reader.read(json, kSignedAt + hours(1) + seconds(1)).verdict, HookVerdict::stale);
    EXPECT_EQ(reader.read(json, kSignedAt - hours(1)).verdict, HookVerdict::stale);
}

TEST(Ses, ACertificateUrlSnsDoesNotServeIsRefusedBeforeAnyFetch) {
    for (const char* url : {
             "http://sns.eu-west-1.amazonaws.com/SimpleNotificationService-0123.pem",
             "https://evil.com/SimpleNotificationService-0123.pem",
             "https://sns.eu-west-1.amazonaws.com.evil.com/SimpleNotificationService-0123.pem",
             "https://sns.eu-west-1.amazonaws.com@evil.com/SimpleNotificationService-0123.pem",
             "https://evil.com@sns.eu-west-1.amazonaws.com/SimpleNotificationService-0123.pem",
             "https://sns.eu-west-1.amazonaws.com:8443/SimpleNotificationService-0123.pem",
             "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-0123",
             "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-0123.pem?x=.pem",
             "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-0123.pem#.pem",
             "https://evilsns.eu-west-1.amazonaws.com/SimpleNotificationService-0123.pem",
             "https://sns.amazonaws.com/SimpleNotificationService-0123.pem",
         }) {
        Reader reader;
        auto message =
            notification(complaint_message({"alice@example.com"}), SnsSignatureVersion::v2_sha256);
        message.signing_cert_url = url;
        EXPECT_EQ(reader.read(document(message)).verdict, HookVerdict::bad_signature) << url;
        EXPECT_EQ(reader.certificates.calls, 0) << url;
    }
}

TEST(Ses, ASubscriptionConfirmationIsToBeConfirmed) {
    Reader reader;
    auto reading = reader.read(document(confirmation()));
    ASSERT_EQ(reading.verdict, HookVerdict::confirm_subscription) << reading.why;
    EXPECT_EQ(reading.confirm_url, kSubscribeUrl);
    EXPECT_TRUE(reading.events.empty());

    auto edited = document(confirmation());
    edited["SubscribeURL"] = "https://evil.com/?Action=ConfirmSubscription";
    EXPECT_EQ(reader.read(edited).verdict, HookVerdict::bad_signature);

    auto elsewhere = confirmation();
    elsewhere.subscribe_url = "https://evil.com/?Action=ConfirmSubscription";
    signer().sign(elsewhere);
    EXPECT_EQ(reader.read(document(elsewhere)).verdict, HookVerdict::malformed);
}

TEST(Ses, AnUnsubscribeConfirmationIsIgnored) {
    Reader reader;
    auto message = confirmation();
    message.type = SnsType::unsubscribe_confirmation;
    signer().sign(message);
    EXPECT_EQ(reader.read(document(message)).verdict, HookVerdict::ignored);
}

TEST(Ses, AHeaderThatDisagreesWithTheTypeIsMalformed) {
    Reader reader;
    auto json = document(confirmation());
    auto request = request_for(json);
    Request lying = request;
    lying.headers = {};
    lying.headers.add("x-amz-sns-message-type", "Notification");
    EXPECT_EQ(read_ses(lying, reader.check(), kSignedAt).verdict, HookVerdict::malformed);
}

TEST(Ses, OverlongFieldsAreMalformedBeforeAnyCrypto) {
    auto signed_document = document(
        notification(complaint_message({"alice@example.com"}), SnsSignatureVersion::v2_sha256));
    for (const char* field : {"Type", "MessageId", "TopicArn", "Timestamp", "Signature",
                              "SigningCertURL", "SignatureVersion", "Subject"}) {
        Reader reader;
        auto edited = signed_document;
        edited[field] = std::string(4096, 'a');
        EXPECT_EQ(reader.read(edited).verdict, HookVerdict::malformed) << field;
        EXPECT_EQ(reader.certificates.calls, 0) << field;
    }
    Reader reader;
    auto huge = signed_document;
    huge["Message"] = std::string(300 * 1024, 'a');
    EXPECT_EQ(reader.read(huge).verdict, HookVerdict::malformed);
    auto huge_recipient = complaint_message({std::string(10 * 1024 * 1024, 'a') + "@example.com"});
    EXPECT_EQ(
        reader.read(document(notification(huge_recipient, SnsSignatureVersion::v2_sha256))).verdict,
        HookVerdict::malformed);
    auto number = signed_document;
    number["MessageId"] = 12;
    EXPECT_EQ(reader.read(number).verdict, HookVerdict::malformed);
    EXPECT_EQ(reader.certificates.calls, 0);
}

TEST(Ses, NotSnsShapedIsMalformed) {
    Reader reader;
    for (const char* body : {"", "[]", "{}", "not json", R"({"Type":"Other"})"}) {
        Request request;
        request.body = body;
        EXPECT_EQ(read_ses(request, reader.check(), kSignedAt).verdict, HookVerdict::malformed)
            << body;
    }
    auto missing = document(confirmation());
    missing.erase("Token");
    EXPECT_EQ(reader.read(missing).verdict, HookVerdict::malformed);
    auto bad_time = document(confirmation());
    bad_time["Timestamp"] = "yesterday";
    EXPECT_EQ(reader.read(bad_time).verdict, HookVerdict::malformed);
    EXPECT_EQ(reader.certificates.calls, 0);
}

TEST(Ses, ANestingBombIsMalformed) {
    Reader reader;
    Request request;
    request.body = std::string(100000, '[') + std::string(100000, ']');
    EXPECT_EQ(read_ses(request, reader.check(), kSignedAt).verdict, HookVerdict::malformed);

    // Inside a validly signed Message too: the inner parse is bounded as well.
    auto bomb = notification(complaint_message({"a@example.com"}), SnsSignatureVersion::v2_sha256);
    bomb.message = std::string(10000, '[') + std::string(10000, ']');
    signer().sign(bomb);
    EXPECT_EQ(reader.read(document(bomb)).verdict, HookVerdict::malformed);
}

TEST(IsoTimestamp, ReadsWhatSnsWritesAndNothingElse) {
    EXPECT_EQ(parse_iso_timestamp("2026-12-02T10:00:00Z"),
              system_clock::time_point(seconds(1796205600)));
    EXPECT_EQ(parse_iso_timestamp("2026-12-02T10:00:00.5Z"),
              system_clock::time_point(seconds(1796205600)) + std::chrono::milliseconds(500));
    for (const char* bad : {"", "2026-12-02", "2026-12-02T10:00:00", "2026-12-02T10:00:00+01:00",
                            "2026-02-30T10:00:00Z", "2026-12-02T24:00:00Z", "2026-12-02T10:00:00.Z",
                            "2026-12-02T10:00:00.1234567890Z", "2026-12-02 10:00:00Z"}) {
        EXPECT_FALSE(parse_iso_timestamp(bad)) << bad;
    }
}

}  // namespace
}  // namespace fbl::web::hooks
