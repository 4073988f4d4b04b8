#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "crm/redactor.h"
#include "crm/retry_policy.h"
#include "crm/secret_store.h"
#include "crm/signing.h"
#include "crm/token_bucket.h"

namespace fbl::crm {
namespace {

// The example of the Standard Webhooks specification.
TEST(Signing, MatchesTheStandardWebhooksExample) {
    EXPECT_EQ(
        webhook_signature("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek",
                          1614265330, R"({"test": 2432232314})"),
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
}

TEST(Signing, Base64RoundTrips) {
    for (const std::string& text :
         std::vector<std::string>{"", "a", "ab", "abc", "abcd", std::string("\0\xff\x10", 3)}) {
        EXPECT_EQ(base64_decode(base64_encode(text)), text);
    }
    EXPECT_THROW(base64_decode("abc"), std::invalid_argument);
}

TEST(Redactor, HidesEverySecretItKnows) {
    Redactor redactor;
    redactor.add("s3cr3t-token");
    redactor.add("s3cr3t");
    EXPECT_EQ(redactor.redact("Bearer s3cr3t-token and s3cr3t twice s3cr3t"),
              "Bearer [redacted] and [redacted] twice [redacted]");
}

TEST(SecretStore, RefreshRereadsTheFile) {
    auto file =
        std::filesystem::temp_directory_path() / ("fbl-crm-secret-" + std::to_string(::getpid()));
    std::ofstream(file) << "old\n";
    Redactor redactor;
    SecretStore store({{"token", config::Secret("old", "file " + file.string())}}, redactor);
    EXPECT_EQ(*store.find("token"), "old");
    EXPECT_FALSE(store.refresh());
    std::ofstream(file) << "new-token\n";
    EXPECT_TRUE(store.refresh());
    EXPECT_EQ(*store.find("token"), "new-token");
    EXPECT_EQ(redactor.redact("old new-token"), "[redacted] [redacted]");
    std::filesystem::remove(file);
}

TEST(RetryPolicy, ClassifiesAnswers) {
    std::vector<int> success{200, 204};
    std::vector<int> done{404};
    EXPECT_EQ(classify(204, success, done), Outcome::success);
    EXPECT_EQ(classify(404, success, done), Outcome::done);
    EXPECT_EQ(classify(0, success, done), Outcome::retry);
    EXPECT_EQ(classify(408, success, done), Outcome::retry);
    EXPECT_EQ(classify(429, success, done), Outcome::retry);
    EXPECT_EQ(classify(503, success, done), Outcome::retry);
    EXPECT_EQ(classify(401, success, done), Outcome::refresh);
    EXPECT_EQ(classify(400, success, done), Outcome::dead);
    EXPECT_EQ(classify(403, success, done), Outcome::dead);
}

TEST(RetryPolicy, ParsesRetryAfterSecondsAndDates) {
    auto now = Clock::from_time_t(1700000000);  // Tue, 14 Nov 2023 22:13:20 GMT
    EXPECT_EQ(parse_retry_after("2", now), std::chrono::seconds(2));
    EXPECT_EQ(parse_retry_after(" 120 ", now), std::chrono::seconds(120));
    EXPECT_EQ(parse_retry_after("Tue, 14 Nov 2023 22:14:20 GMT", now), std::chrono::seconds(60));
    EXPECT_EQ(parse_retry_after("Tue, 14 Nov 2023 22:00:00 GMT", now), std::chrono::seconds(0));
    EXPECT_EQ(parse_retry_after("soon", now), std::nullopt);
    EXPECT_EQ(parse_retry_after("-5", now), std::nullopt);
}

TEST(RetryPolicy, BackoffStaysWithinTheCappedExponentialCeiling) {
    config::RetryPolicy policy{std::chrono::seconds(10), std::chrono::seconds(100),
                               std::chrono::hours(72)};
    std::mt19937_64 random(42);
    for (int attempt = 1; attempt <= 12; ++attempt) {
        for (int i = 0; i < 200; ++i) {
            auto delay = backoff(policy, attempt, random);
            auto ceiling = std::min<long long>(100, 10LL << std::min(attempt - 1, 20));
            EXPECT_GE(delay.count(), 1);
            EXPECT_LE(delay.count(), ceiling);
        }
    }
}

TEST(RetryPolicy, GivesUpAfterTheConfiguredTime) {
    config::RetryPolicy policy{std::chrono::seconds(10), std::chrono::seconds(100),
                               std::chrono::seconds(3600)};
    std::mt19937_64 random(1);
    auto created = Clock::now();
    EXPECT_TRUE(next_attempt(policy, 1, std::chrono::seconds(60), created, created, random));
    EXPECT_FALSE(next_attempt(policy, 1, std::chrono::seconds(60), created,
                              created + std::chrono::seconds(3590), random));
    auto when = next_attempt(policy, 1, std::chrono::seconds(2), created, created, random);
    ASSERT_TRUE(when);
    EXPECT_EQ(*when, created + std::chrono::seconds(2));
}

TEST(TokenBucket, NeverAllowsMoreThanTheRate) {
    TokenBucket::Clock::time_point start{};
    TokenBucket bucket(10.0, start);
    int taken = 0;
    for (int ms = 0; ms <= 1000; ++ms) {
        while (bucket.take(start + std::chrono::milliseconds(ms))) {
            ++taken;
        }
    }
    EXPECT_EQ(taken, 11);  // one at once, then one per 100 ms
    EXPECT_GT(bucket.wait(start + std::chrono::milliseconds(1000)).count(), 0);
}

}  // namespace
}  // namespace fbl::crm
