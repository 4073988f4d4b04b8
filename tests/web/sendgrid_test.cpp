#include "web/hooks/sendgrid.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "common/crypto.h"
#include "tests/common/p256_signer.h"

namespace fbl::web::hooks {
namespace {

using std::chrono::seconds;
using std::chrono::system_clock;

constexpr const char* kTimestamp = "1770920772";
const system_clock::time_point kSignedAt{seconds(1770920772)};

nlohmann::json event(const std::string& name, const std::string& id) {
    return {{"email", "Alice@Example.com"},
            {"event", name},
            {"sg_event_id", id},
            {"sg_message_id", "LRzXl_NHStOGhQ4kofSm_A.filter-1"},
            {"smtp-id", "<20261201.1@mail.example.org>"},
            {"timestamp", 1770920700},
            {"asm_group_id", 42},
            {"category", {"newsletter", "weekly"}}};
}

class SendGrid : public ::testing::Test {
  protected:
    SendGrid() {
        std::string problem;
        key_ = crypto::P256PublicKey::parse(pair_.public_base64_der(), problem);
    }

    // A request as SendGrid posts it: signed over timestamp + body.
    Request signed_request(const std::string& body, const std::string& timestamp = kTimestamp) {
        Request request;
        request.body = body;
        request.headers.add("X-Twilio-Email-Event-Webhook-Signature",
                            crypto::base64_encode(pair_.sign(timestamp + body)));
        request.headers.add("X-Twilio-Email-Event-Webhook-Timestamp", timestamp);
        return request;
    }

    HookReading read(const Request& request, system_clock::time_point now = kSignedAt) {
        return read_sendgrid(request, {key_.get()}, now);
    }

    fbl::testing::TestKeyPair pair_;
    std::shared_ptr<const crypto::P256PublicKey> key_;
};

TEST_F(SendGrid, ASignedSpamReportIsAComplaintEvent) {
    auto reading = read(signed_request(nlohmann::json::array({event("spamreport", "e1")}).dump()));
    ASSERT_EQ(reading.verdict, HookVerdict::event) << reading.why;
    ASSERT_EQ(reading.events.size(), 1u);
    const auto& taken = reading.events.front();
    EXPECT_EQ(taken.channel, store::Channel::sendgrid);
    EXPECT_EQ(taken.kind, store::ComplaintKind::complaint);
    EXPECT_EQ(taken.recipient, "Alice@Example.com");
    EXPECT_EQ(taken.event_id, "e1");
    EXPECT_EQ(taken.provider, "sendgrid.net");
    EXPECT_EQ(taken.feedback_type, "abuse");
    EXPECT_EQ(taken.original_message_id, "20261201.1@mail.example.org");
    ASSERT_TRUE(taken.occurred_at);
    EXPECT_EQ(*taken.occurred_at, system_clock::time_point(seconds(1770920700)));
    EXPECT_EQ(taken.detail["sg_message_id"], "LRzXl_NHStOGhQ4kofSm_A.filter-1");
    EXPECT_EQ(taken.detail["asm_group_id"], 42);
    EXPECT_EQ(taken.detail["category"][1], "weekly");
    EXPECT_EQ(reading.replay_token.size(), 64u);
    EXPECT_GE(reading.replay_until, kSignedAt + kSendGridMaxAge);
}

TEST_F(SendGrid, OnlySpamReportsAndUnsubscribesOfAMixedBatchBecomeEvents) {
    auto batch = nlohmann::json::array({event("delivered", "d1"), event("spamreport", "s1"),
                                        event("open", "o1"), event("unsubscribe", "u1"),
                                        event("bounce", "b1"), event("group_unsubscribe", "g1"),
                                        event("group_resubscribe", "r1")});
    auto reading = read(signed_request(batch.dump()));
    ASSERT_EQ(reading.verdict, HookVerdict::event) << reading.why;
    ASSERT_EQ(reading.events.size(), 3u);
    EXPECT_EQ(reading.events[0].event_id, "s1");
    EXPECT_EQ(reading.events[0].kind, store::ComplaintKind::complaint);
    EXPECT_EQ(reading.events[1].event_id, "u1");
    EXPECT_EQ(reading.events[1].kind, store::ComplaintKind::unsubscribe);
    EXPECT_EQ(reading.events[2].event_id, "g1");
    EXPECT_EQ(reading.events[2].kind, store::ComplaintKind::unsubscribe);
    EXPECT_EQ(reading.events[2].feedback_type, "");
}

TEST_F(SendGrid, ABatchOfOtherEventsIsIgnored) {
    auto reading = read(signed_request(
        nlohmann::json::array({event("delivered", "d1"), event("click", "c1")}).dump()));
    EXPECT_EQ(reading.verdict, HookVerdict::ignored);
    EXPECT_TRUE(reading.events.empty());
    EXPECT_EQ(read(signed_request("[]")).verdict, HookVerdict::ignored);
}

TEST_F(SendGrid, AnythingNotSignedByTheKeyIsABadSignature) {
    std::string body = nlohmann::json::array({event("spamreport", "e1")}).dump();
    auto edited_body = signed_request(body);
    edited_body.body[10] ^= 1;
    EXPECT_EQ(read(edited_body).verdict, HookVerdict::bad_signature);

    auto edited_time = signed_request(body);
    Request moved;
    moved.body = body;
    moved.headers.add(
        "X-Twilio-Email-Event-Webhook-Signature",
        std::string(*edited_time.headers.find("X-Twilio-Email-Event-Webhook-Signature")));
    moved.headers.add("X-Twilio-Email-Event-Webhook-Timestamp", "1770920773");
    EXPECT_EQ(read(moved, kSignedAt + seconds(1)).verdict, HookVerdict::bad_signature);

    fbl::testing::TestKeyPair stranger;
    Request forged;
    forged.body = body;
    forged.headers.add("X-Twilio-Email-Event-Webhook-Signature",
                       crypto::base64_encode(stranger.sign(kTimestamp + body)));
    forged.headers.add("X-Twilio-Email-Event-Webhook-Timestamp", kTimestamp);
    EXPECT_EQ(read(forged).verdict, HookVerdict::bad_signature);

    EXPECT_EQ(read_sendgrid(signed_request(body), {nullptr}, kSignedAt).verdict,
              HookVerdict::bad_signature);
}

TEST_F(SendGrid, MissingOrGarbledHeadersAreABadSignature) {
    std::string body = "[]";
    Request no_headers;
    no_headers.body = body;
    EXPECT_EQ(read(no_headers).verdict, HookVerdict::bad_signature);

    auto only_signature = signed_request(body);
    Request without_time;
    without_time.body = body;
    without_time.headers.add(
        "X-Twilio-Email-Event-Webhook-Signature",
        std::string(*only_signature.headers.find("X-Twilio-Email-Event-Webhook-Signature")));
    EXPECT_EQ(read(without_time).verdict, HookVerdict::bad_signature);

    for (const char* signature : {"not base64!", "", "QUJD", "====", "MEUCIQ"}) {
        Request garbled;
        garbled.body = body;
        garbled.headers.add("X-Twilio-Email-Event-Webhook-Signature", signature);
        garbled.headers.add("X-Twilio-Email-Event-Webhook-Timestamp", kTimestamp);
        EXPECT_EQ(read(garbled).verdict, HookVerdict::bad_signature) << signature;
    }
    for (const char* timestamp : {"", "17709x0772", "-1770920772", "99999999999999999999"}) {
        EXPECT_EQ(read(signed_request(body, timestamp)).verdict, HookVerdict::bad_signature)
            << timestamp;
    }
    Request overlong;
    overlong.body = body;
    overlong.headers.add("X-Twilio-Email-Event-Webhook-Signature", std::string(100000, 'A'));
    overlong.headers.add("X-Twilio-Email-Event-Webhook-Timestamp", kTimestamp);
    EXPECT_EQ(read(overlong).verdict, HookVerdict::bad_signature);
}

TEST_F(SendGrid, ARequestSignedOutsideTheWindowIsStale) {
    auto request = signed_request("[]");
    EXPECT_EQ(read(request, kSignedAt + kSendGridMaxAge + seconds(1)).verdict, HookVerdict::stale);
    EXPECT_EQ(read(request, kSignedAt + std::chrono::hours(72)).verdict, HookVerdict::ignored);
    EXPECT_EQ(read(request, kSignedAt - std::chrono::hours(1)).verdict, HookVerdict::stale);
}

// The window is the setting's, not a constant's.
TEST_F(SendGrid, TheWindowIsTheChecksMaxAge) {
    auto request = signed_request("[]");
    EXPECT_EQ(read_sendgrid(request, {key_.get(), seconds(60)}, kSignedAt + seconds(61)).verdict,
              HookVerdict::stale);
}

// A signature names no request (ECDSA's (r, n - s) verifies too); the
// signed bytes do, so the same request signed twice has one token.
TEST_F(SendGrid, TheReplayTokenNamesTheSignedBytesNotTheSignature) {
    auto first = read(signed_request("[]"));
    auto second = read(signed_request("[]"));
    EXPECT_EQ(first.replay_token, second.replay_token);
    EXPECT_NE(first.replay_token, read(signed_request("[ ]")).replay_token);
}

TEST_F(SendGrid, WhatIsNotTheDocumentedShapeIsMalformed) {
    EXPECT_EQ(read(signed_request("not json")).verdict, HookVerdict::malformed);
    EXPECT_EQ(read(signed_request("{}")).verdict, HookVerdict::malformed);
    EXPECT_EQ(read(signed_request("[1]")).verdict, HookVerdict::malformed);
    auto no_email = event("spamreport", "e1");
    no_email.erase("email");
    EXPECT_EQ(read(signed_request(nlohmann::json::array({no_email}).dump())).verdict,
              HookVerdict::malformed);
    auto long_email = event("unsubscribe", "e1");
    long_email["email"] = std::string(1000000, 'a') + "@example.com";
    EXPECT_EQ(read(signed_request(nlohmann::json::array({long_email}).dump())).verdict,
              HookVerdict::malformed);
}

TEST_F(SendGrid, AThousandEventsAreTakenAndOneMoreIsMalformed) {
    auto batch = nlohmann::json::array();
    for (std::size_t i = 0; i < kSendGridMaxEvents; ++i) {
        batch.push_back(event("spamreport", "e" + std::to_string(i)));
    }
    auto reading = read(signed_request(batch.dump()));
    ASSERT_EQ(reading.verdict, HookVerdict::event);
    EXPECT_EQ(reading.events.size(), kSendGridMaxEvents);
    batch.push_back(event("delivered", "last"));
    EXPECT_EQ(read(signed_request(batch.dump())).verdict, HookVerdict::malformed);
}

TEST_F(SendGrid, ANestingBombIsMalformed) {
    std::string bomb = "[" + std::string(100000, '[') + std::string(100000, ']') + "]";
    EXPECT_EQ(read(signed_request(bomb)).verdict, HookVerdict::malformed);
}

TEST_F(SendGrid, HugeDetailFieldsAreDroppedNotKept) {
    auto wide = event("spamreport", "e1");
    wide["category"] = nlohmann::json::array();
    for (int i = 0; i < 10000; ++i) {
        wide["category"].push_back("c" + std::to_string(i));
    }
    wide["sg_message_id"] = std::string(5000, 'm');
    for (int i = 0; i < 10000; ++i) {
        wide["field-" + std::to_string(i)] = i;
    }
    auto reading = read(signed_request(nlohmann::json::array({wide}).dump()));
    ASSERT_EQ(reading.verdict, HookVerdict::event);
    EXPECT_LT(reading.events.front().detail.dump().size(), 512u);
    EXPECT_FALSE(reading.events.front().detail.contains("category"));
}

// SendGrid's own published sample (sendgrid-python's event webhook test):
// key, signature, timestamp and payload, verified here without the network.
TEST(SendGridSample, ThePublishedSampleVerifiesAndItsDroppedEventIsIgnored) {
    std::string problem;
    auto key = crypto::P256PublicKey::parse(
        "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE83T4O/n84iotIvIW4mdBgQ/7dAfSmpqIM8kF9mN1flpVKS3GRqe6"
        "2gw+2fNNRaINXvVpiglSI8eNEc6wEA3F+g==",
        problem);
    ASSERT_TRUE(key) << problem;
    Request request;
    request.body =
        R"([{"email":"hello@world.com","event":"dropped","reason":"Bounced Address",)"
        R"("sg_event_id":"ZHJvcC0xMDk5NDkxOS1MUnpYbF9OSFN0T0doUTRrb2ZTbV9BLTA",)"
        R"("sg_message_id":"LRzXl_NHStOGhQ4kofSm_A.filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-9.0",)"
        R"("smtp-id":"<LRzXl_NHStOGhQ4kofSm_A@ismtpd0039p1iad1.sendgrid.net>",)"
        R"("timestamp":1600112492}])"
        "\r\n";
    request.headers.add("X-Twilio-Email-Event-Webhook-Signature",
                        "MEUCIGHQVtGj+Y3LkG9fLcxf3qfI10QysgDWmMOVmxG0u6ZUAiEAyBiXDWzM+uOe5W0JuG+l"
                        "uQAbPIqHh89M15TluLtEZtM=");
    request.headers.add("X-Twilio-Email-Event-Webhook-Timestamp", "1600112502");
    const system_clock::time_point signed_at{seconds(1600112502)};
    auto reading = read_sendgrid(request, {key.get()}, signed_at);
    EXPECT_EQ(reading.verdict, HookVerdict::ignored) << reading.why;

    request.body.pop_back();  // without the trailing CRLF SendGrid signed
    EXPECT_EQ(read_sendgrid(request, {key.get()}, signed_at).verdict, HookVerdict::bad_signature);
}

}  // namespace
}  // namespace fbl::web::hooks
