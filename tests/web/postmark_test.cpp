#include "web/hooks/postmark.h"

#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "common/crypto.h"

namespace fbl::web::hooks {
namespace {

using std::chrono::system_clock;

constexpr const char* kCredentials = "postmark:Tr0ub4dor&3-horse";

nlohmann::json spam_complaint() {
    return {{"RecordType", "SpamComplaint"},
            {"ID", 42},
            {"MessageID", "883953f4-6105-42a2-a16a-77a8eac79483"},
            {"ServerID", 23},
            {"MessageStream", "broadcast"},
            {"Tag", "newsletter"},
            {"Email", "Alice@Example.com"},
            {"From", "news@example.org"},
            {"BouncedAt", "2026-12-01T13:28:10.2735393-04:00"},
            {"Metadata", {{"mailing", "2026-12"}}}};
}

nlohmann::json unsubscribe() {
    return {{"RecordType", "SubscriptionChange"},
            {"MessageID", "883953f4-6105-42a2-a16a-77a8eac79483"},
            {"ServerID", 23},
            {"MessageStream", "broadcast"},
            {"ChangedAt", "2026-12-01T10:53:34.416071Z"},
            {"Recipient", "bob@example.com"},
            {"Origin", "Recipient"},
            {"SuppressSending", true},
            {"SuppressionReason", "ManualSuppression"},
            {"Tag", nullptr},
            {"Metadata", nlohmann::json::object()}};
}

Request request_with(const nlohmann::json& body, const std::string& authorization) {
    Request request;
    request.body = body.dump();
    request.client_address = "3.134.147.250";
    if (!authorization.empty()) {
        request.headers.add("Authorization", authorization);
    }
    return request;
}

std::string basic(std::string_view user_password) {
    return "Basic " + crypto::base64_encode(user_password);
}

HookReading read(const Request& request, std::span<const config::Network> sources = {}) {
    return read_postmark(request, {kCredentials, sources}, system_clock::now());
}

TEST(Postmark, ASpamComplaintWithOurCredentialsIsAComplaintEvent) {
    auto reading = read(request_with(spam_complaint(), basic(kCredentials)));
    ASSERT_EQ(reading.verdict, HookVerdict::event) << reading.why;
    ASSERT_EQ(reading.events.size(), 1u);
    const auto& taken = reading.events.front();
    EXPECT_EQ(taken.channel, store::Channel::postmark);
    EXPECT_EQ(taken.kind, store::ComplaintKind::complaint);
    EXPECT_EQ(taken.recipient, "Alice@Example.com");
    EXPECT_EQ(taken.event_id, "spam:42");
    EXPECT_EQ(taken.provider, "postmarkapp.com");
    EXPECT_EQ(taken.feedback_type, "abuse");
    // Postmark's own message id is no RFC Message-ID: kept, not matched.
    EXPECT_TRUE(taken.original_message_id.empty());
    EXPECT_EQ(taken.detail["MessageID"], "883953f4-6105-42a2-a16a-77a8eac79483");
    EXPECT_EQ(taken.detail["Metadata"]["mailing"], "2026-12");
    EXPECT_TRUE(reading.replay_token.empty());
}

TEST(Postmark, TheSchemeIsCaseInsensitive) {
    auto request = request_with(spam_complaint(), "basic " + crypto::base64_encode(kCredentials));
    EXPECT_EQ(read(request).verdict, HookVerdict::event);
}

TEST(Postmark, ARecipientsUnsubscribeIsAnUnsubscribeEvent) {
    auto reading = read(request_with(unsubscribe(), basic(kCredentials)));
    ASSERT_EQ(reading.verdict, HookVerdict::event) << reading.why;
    const auto& taken = reading.events.front();
    EXPECT_EQ(taken.kind, store::ComplaintKind::unsubscribe);
    EXPECT_EQ(taken.recipient, "bob@example.com");
    EXPECT_EQ(taken.event_id, "subscription:2026-12-01T10:53:34.416071Z:bob@example.com");
    EXPECT_EQ(taken.feedback_type, "");
}

TEST(Postmark, OtherSubscriptionChangesAreIgnored) {
    auto reactivation = unsubscribe();
    reactivation["SuppressSending"] = false;
    reactivation["SuppressionReason"] = nullptr;
    EXPECT_EQ(read(request_with(reactivation, basic(kCredentials))).verdict, HookVerdict::ignored);
    auto bounce = unsubscribe();
    bounce["SuppressionReason"] = "HardBounce";
    EXPECT_EQ(read(request_with(bounce, basic(kCredentials))).verdict, HookVerdict::ignored);
    auto complaint = unsubscribe();
    complaint["SuppressionReason"] = "SpamComplaint";  // arrives as its own SpamComplaint
    EXPECT_EQ(read(request_with(complaint, basic(kCredentials))).verdict, HookVerdict::ignored);
    auto by_account = unsubscribe();
    by_account["Origin"] = "Customer";
    EXPECT_EQ(read(request_with(by_account, basic(kCredentials))).verdict, HookVerdict::ignored);
    nlohmann::json delivery = {{"RecordType", "Delivery"}, {"Recipient", "bob@example.com"}};
    EXPECT_EQ(read(request_with(delivery, basic(kCredentials))).verdict, HookVerdict::ignored);
}

TEST(Postmark, AnythingButOurExactCredentialsIsABadSignature) {
    for (const std::string& authorization :
         {basic("postmark:Tr0ub4dor&3-horsE"), basic("postmarK:Tr0ub4dor&3-horse"),
          basic("postmark:Tr0ub4dor&3"),                 // a prefix of the password
          basic("postmark:Tr0ub4dor&3-horse-and-more"),  // the password as a prefix
          basic("postmark"), basic(""), std::string("Bearer x"), std::string("Basic"),
          std::string("Basic not*base64"), std::string("Basic cG9zdG1hcms6"),
          std::string("Basicx ") + crypto::base64_encode(kCredentials),
          "Basic " + std::string(100000, 'A')}) {
        EXPECT_EQ(read(request_with(spam_complaint(), authorization)).verdict,
                  HookVerdict::bad_signature)
            << authorization.substr(0, 40);
    }
    EXPECT_EQ(read(request_with(spam_complaint(), "")).verdict, HookVerdict::bad_signature);
    // No credentials configured: nobody gets in, not even with empty ones.
    EXPECT_EQ(
        read_postmark(request_with(spam_complaint(), basic(":")), {"", {}}, system_clock::now())
            .verdict,
        HookVerdict::bad_signature);
}

TEST(Postmark, TheAllowListDecidesBeforeTheCredentials) {
    std::vector<config::Network> sources{*config::Network::parse("3.134.147.0/24"),
                                         *config::Network::parse("2600:1f18::/32")};
    auto inside = request_with(spam_complaint(), basic(kCredentials));
    EXPECT_EQ(read(inside, sources).verdict, HookVerdict::event);
    auto outside = inside;
    outside.client_address = "198.51.100.7";
    EXPECT_EQ(read(outside, sources).verdict, HookVerdict::forbidden_source);
    outside.headers = Headers();
    EXPECT_EQ(read(outside, sources).verdict, HookVerdict::forbidden_source);
    auto garbage = inside;
    garbage.client_address = "not an address";
    EXPECT_EQ(read(garbage, sources).verdict, HookVerdict::forbidden_source);
    auto v6 = inside;
    v6.client_address = "2600:1f18::1";
    EXPECT_EQ(read(v6, sources).verdict, HookVerdict::event);
}

TEST(Postmark, WhatIsNotTheDocumentedShapeIsMalformed) {
    auto request = request_with(spam_complaint(), basic(kCredentials));
    request.body = "not json";
    EXPECT_EQ(read(request).verdict, HookVerdict::malformed);
    request.body = "[]";
    EXPECT_EQ(read(request).verdict, HookVerdict::malformed);
    request.body = std::string(100000, '[') + std::string(100000, ']');
    EXPECT_EQ(read(request).verdict, HookVerdict::malformed);
    auto no_email = spam_complaint();
    no_email.erase("Email");
    EXPECT_EQ(read(request_with(no_email, basic(kCredentials))).verdict, HookVerdict::malformed);
    auto no_flag = unsubscribe();
    no_flag.erase("SuppressSending");
    EXPECT_EQ(read(request_with(no_flag, basic(kCredentials))).verdict, HookVerdict::malformed);
}

TEST(Postmark, HugeFieldsAreMalformedOrDropped) {
    auto huge_email = spam_complaint();
    huge_email["Email"] = std::string(10 * 1024 * 1024, 'a') + "@example.com";
    EXPECT_EQ(read(request_with(huge_email, basic(kCredentials))).verdict, HookVerdict::malformed);
    auto huge_recipient = unsubscribe();
    huge_recipient["Recipient"] = std::string(1000, 'b') + "@example.com";
    EXPECT_EQ(read(request_with(huge_recipient, basic(kCredentials))).verdict,
              HookVerdict::malformed);

    auto wide = spam_complaint();
    wide["Tag"] = std::string(1024 * 1024, 't');
    wide["Metadata"] = nlohmann::json::object();
    for (int i = 0; i < 10000; ++i) {
        wide["Metadata"]["k" + std::to_string(i)] = i;
        wide["field-" + std::to_string(i)] = i;
    }
    auto reading = read(request_with(wide, basic(kCredentials)));
    ASSERT_EQ(reading.verdict, HookVerdict::event);
    EXPECT_LT(reading.events.front().detail.dump().size(), 1024u);

    auto long_changed_at = unsubscribe();
    long_changed_at["ChangedAt"] = std::string(10000, '2');
    reading = read(request_with(long_changed_at, basic(kCredentials)));
    ASSERT_EQ(reading.verdict, HookVerdict::event);
    EXPECT_TRUE(reading.events.front().event_id.empty());
}

}  // namespace
}  // namespace fbl::web::hooks
