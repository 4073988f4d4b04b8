#include <chrono>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "common/crypto.h"
#include "tests/web/web_world.h"
#include "web/webhook_endpoints.h"

// The webhook endpoints through the real router and a real SQLite store:
// the verdict of each verifier becomes the provider's documented answer,
// and only a verified event is committed, once.
namespace fbl::web {
namespace {

constexpr const char* kKey = "key-for-the-route-test";

std::string signed_mailgun(
    const std::string& token, const std::string& recipient,
    std::chrono::system_clock::time_point at = std::chrono::system_clock::now()) {
    std::string timestamp = std::to_string(
        std::chrono::duration_cast<std::chrono::seconds>(at.time_since_epoch()).count());
    std::string signature = crypto::hex(crypto::hmac_sha256(kKey, timestamp + token));
    nlohmann::json body = {
        {"signature", {{"timestamp", timestamp}, {"token", token}, {"signature", signature}}},
        {"event-data", {{"event", "complained"}, {"id", "id-" + token}, {"recipient", recipient}}}};
    return body.dump();
}

Request post(const std::string& path, std::string body) {
    Request request;
    request.method = Method::post;
    request.path = path;
    request.body = std::move(body);
    request.client_address = "192.0.2.9";
    return request;
}

class WebhookRoutesTest : public ::testing::Test {
  protected:
    WebhookRoutesTest() {
        world_.config().webhooks.mailgun.signing_key = config::Secret(kKey, "test");
    }
    std::size_t complaints() { return world_.open_store()->complaints({}).size(); }
    testing::WebWorld world_;
};

TEST_F(WebhookRoutesTest, AVerifiedMailgunComplaintIsCommittedOnceAndItsReplayRefused) {
    auto body = signed_mailgun(std::string(50, 'a'), "c@example.com");
    EXPECT_EQ(world_.route(post("/hooks/mailgun", body)).status, Status::ok);
    EXPECT_EQ(world_.route(post("/hooks/mailgun", body)).status, Status::not_acceptable);
    EXPECT_EQ(complaints(), 1u);
    auto entry = world_.open_store()->find("c@example.com");
    ASSERT_TRUE(entry);
    EXPECT_EQ(entry->reason, store::Reason::complaint);
}

TEST_F(WebhookRoutesTest, ABadMailgunSignatureIs401AndStoresNothing) {
    auto body = signed_mailgun(std::string(50, 'b'), "c@example.com");
    // Mailgun signs timestamp + token only: the token is what is forged here.
    body.replace(body.rfind(std::string(50, 'b')), 1, "e");
    EXPECT_EQ(world_.route(post("/hooks/mailgun", body)).status, Status::unauthorized);
    EXPECT_EQ(complaints(), 0u);
}

TEST_F(WebhookRoutesTest, AStaleOrMalformedMailgunRequestIs406) {
    auto old = std::chrono::system_clock::now() - std::chrono::hours(10);
    EXPECT_EQ(world_
                  .route(post("/hooks/mailgun",
                              signed_mailgun(std::string(50, 'c'), "c@example.com", old)))
                  .status,
              Status::not_acceptable);
    EXPECT_EQ(world_.route(post("/hooks/mailgun", "[[[[")).status, Status::not_acceptable);
    EXPECT_EQ(complaints(), 0u);
}

TEST_F(WebhookRoutesTest, AStoreThatCannotCommitIs503) {
    testing::WebWorld broken("/nonexistent-fbl-dir/store.db");
    broken.config().webhooks.mailgun.signing_key = config::Secret(kKey, "test");
    auto body = signed_mailgun(std::string(50, 'd'), "c@example.com");
    EXPECT_EQ(broken.route(post("/hooks/mailgun", body)).status, Status::service_unavailable);
}

TEST_F(WebhookRoutesTest, EndpointsWithoutASecretAre404) {
    testing::WebWorld bare;
    for (const char* path :
         {"/hooks/mailgun", "/hooks/ses", "/hooks/sendgrid", "/hooks/postmark"}) {
        EXPECT_EQ(bare.route(post(path, "{}")).status, Status::not_found) << path;
    }
}

TEST_F(WebhookRoutesTest, PostmarkWithoutCredentialsIs401WithAChallenge) {
    world_.config().webhooks.postmark.credentials = config::Secret("hook:s3cret-pass", "test");
    auto response = world_.route(post("/hooks/postmark", R"({"RecordType":"SpamComplaint"})"));
    EXPECT_EQ(response.status, Status::unauthorized);
    EXPECT_TRUE(response.headers.find("WWW-Authenticate"));
    EXPECT_EQ(complaints(), 0u);
}

}  // namespace
}  // namespace fbl::web
