#include "web/hooks/mailgun.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace fbl::web::hooks {
namespace {

using std::chrono::seconds;
using std::chrono::system_clock;

// A signature computed outside our code, so a wrong MAC input (order,
// separator, encoding) fails here:
//   printf '%s' 1770920772e0b5477167110d68991efc6b9f89f0a11066af27834600e123 |
//     openssl dgst -sha256 -hmac key-8f2d1c0b6e5a4f3e
constexpr const char* kSigningKey = "key-8f2d1c0b6e5a4f3e";
constexpr const char* kTimestamp = "1770920772";
constexpr const char* kToken = "e0b5477167110d68991efc6b9f89f0a11066af27834600e123";
constexpr const char* kSignature =
    "6335890b5a8129874457c4dc6f2482d24890bc1c721a6db80128fc7568c25c95";
const system_clock::time_point kSignedAt{seconds(1770920772)};

nlohmann::json body(const std::string& event) {
    return {
        {"signature", {{"timestamp", kTimestamp}, {"token", kToken}, {"signature", kSignature}}},
        {"event-data",
         {{"event", event},
          {"id", "-Agny091SquKnsrW2NEKUA"},
          {"timestamp", 1770920770.25},
          {"recipient", "Alice@Example.com"},
          {"tags", {"newsletter"}},
          {"message", {{"headers", {{"message-id", "20261201.1@mail.example.org"}}}}}}}};
}

HookReading read(const nlohmann::json& json, system_clock::time_point now = kSignedAt) {
    return read_mailgun(json.dump(), {kSigningKey}, now);
}

TEST(Mailgun, AComplaintSignedWithOurKeyIsAComplaintEvent) {
    auto reading = read(body("complained"));
    ASSERT_EQ(reading.verdict, HookVerdict::event) << reading.why;
    ASSERT_EQ(reading.events.size(), 1u);
    EXPECT_EQ(reading.events.front().channel, store::Channel::mailgun);
    EXPECT_EQ(reading.events.front().kind, store::ComplaintKind::complaint);
    EXPECT_EQ(reading.events.front().recipient, "Alice@Example.com");
    EXPECT_EQ(reading.events.front().event_id, "-Agny091SquKnsrW2NEKUA");
    EXPECT_EQ(reading.events.front().original_message_id, "20261201.1@mail.example.org");
    EXPECT_EQ(reading.events.front().feedback_type, "abuse");
    EXPECT_EQ(reading.events.front().detail["tags"][0], "newsletter");
    EXPECT_EQ(reading.replay_token, kToken);
    EXPECT_GT(reading.replay_until, kSignedAt);
}

TEST(Mailgun, AnUnsubscribeIsAnUnsubscribeEvent) {
    auto reading = read(body("unsubscribed"));
    ASSERT_EQ(reading.verdict, HookVerdict::event);
    EXPECT_EQ(reading.events.front().kind, store::ComplaintKind::unsubscribe);
}

TEST(Mailgun, OtherEventsAreIgnoredOnceVerified) {
    auto reading = read(body("delivered"));
    EXPECT_EQ(reading.verdict, HookVerdict::ignored);
    EXPECT_TRUE(reading.events.empty());
}

TEST(Mailgun, AnyEditedSignatureFieldIsABadSignature) {
    for (const char* field : {"timestamp", "token", "signature"}) {
        auto edited = body("complained");
        std::string value = edited["signature"][field];
        value.back() = value.back() == '1' ? '2' : '1';
        edited["signature"][field] = value;
        EXPECT_EQ(read(edited).verdict, HookVerdict::bad_signature) << field;
    }
    EXPECT_EQ(read_mailgun(body("complained").dump(), {"another-key"}, kSignedAt).verdict,
              HookVerdict::bad_signature);
    EXPECT_EQ(read_mailgun(body("complained").dump(), {""}, kSignedAt).verdict,
              HookVerdict::bad_signature);
    auto unsigned_body = body("complained");
    unsigned_body.erase("signature");
    EXPECT_EQ(read(unsigned_body).verdict, HookVerdict::bad_signature);
}

// The signature covers timestamp and token only: the event is believed for
// what it is, and only our own key makes it.
TEST(Mailgun, TheEventItselfIsNotSignedButTheRequestIs) {
    auto edited = body("complained");
    edited["event-data"]["recipient"] = "bob@example.com";
    auto reading = read(edited);
    ASSERT_EQ(reading.verdict, HookVerdict::event);
    EXPECT_EQ(reading.events.front().recipient, "bob@example.com");
}

TEST(Mailgun, ARequestSignedOutsideTheWindowIsStale) {
    EXPECT_EQ(read(body("complained"), kSignedAt + seconds(9 * 3600 + 1)).verdict,
              HookVerdict::stale);
    EXPECT_EQ(read(body("complained"), kSignedAt + seconds(8 * 3600)).verdict, HookVerdict::event);
    EXPECT_EQ(read(body("complained"), kSignedAt - seconds(3600)).verdict, HookVerdict::stale);
}

TEST(Mailgun, WhatIsNotTheDocumentedShapeIsMalformed) {
    EXPECT_EQ(read_mailgun("not json", {kSigningKey}, kSignedAt).verdict, HookVerdict::malformed);
    EXPECT_EQ(read_mailgun("[]", {kSigningKey}, kSignedAt).verdict, HookVerdict::malformed);
    auto no_recipient = body("complained");
    no_recipient["event-data"].erase("recipient");
    EXPECT_EQ(read(no_recipient).verdict, HookVerdict::malformed);
    auto long_recipient = body("complained");
    long_recipient["event-data"]["recipient"] = std::string(400, 'a') + "@example.com";
    EXPECT_EQ(read(long_recipient).verdict, HookVerdict::malformed);
    auto no_data = body("complained");
    no_data.erase("event-data");
    EXPECT_EQ(read(no_data).verdict, HookVerdict::malformed);
}

TEST(Mailgun, OverlongSignatureFieldsAreRefusedBeforeTheMac) {
    auto edited = body("complained");
    edited["signature"]["token"] = std::string(100000, 'a');
    EXPECT_EQ(read(edited).verdict, HookVerdict::bad_signature);
    edited = body("complained");
    edited["signature"]["timestamp"] = std::string(40, '9');
    EXPECT_EQ(read(edited).verdict, HookVerdict::bad_signature);
}

// What a stranger can send: 100,000 fields, a 10 MiB body, forged or not.
TEST(Mailgun, HugeAndWideBodiesAreReadOnceAndBoundedInWhatTheyKeep) {
    auto wide = body("complained");
    for (int i = 0; i < 100000; ++i) {
        wide["event-data"]["field-" + std::to_string(i)] = i;
    }
    auto reading = read(wide);
    ASSERT_EQ(reading.verdict, HookVerdict::event);
    EXPECT_LT(reading.events.front().detail.dump().size(),
              1024u);  // only the named fields are kept

    auto big = body("complained");
    big["event-data"]["recipient"] = std::string(10 * 1024 * 1024, 'a') + "@example.com";
    EXPECT_EQ(read(big).verdict, HookVerdict::malformed);
    auto forged = body("complained");
    forged["padding"] = std::string(10 * 1024 * 1024, 'x');
    forged["signature"]["signature"] = std::string(64, '0');
    EXPECT_EQ(read(forged).verdict, HookVerdict::bad_signature);
}

}  // namespace
}  // namespace fbl::web::hooks
