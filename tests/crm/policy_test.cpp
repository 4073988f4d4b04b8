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

// A whsec_ secret that is not base64 must not sign with some other key.
TEST(Signing, MalformedWhsecSecretThrows) {
    EXPECT_THROW(webhook_signature("whsec_abc", "id", 1, "{}"), std::invalid_argument);
    EXPECT_THROW(webhook_signature("whsec_ab=c", "id", 1, "{}"), std::invalid_argument);
    EXPECT_NO_THROW(webhook_signature("not-whsec", "id", 1, "{}"));
}

TEST(Redactor, HidesEverySecretItKnows) {
    Redactor redactor;
    redactor.add("s3cr3t-token");
    redactor.add("s3cr3t");
    EXPECT_EQ(redactor.redact("Bearer s3cr3t-token and s3cr3t twice s3cr3t"),
              "Bearer [redacted] and [redacted] twice [redacted]");
}

// A secret put in a URL or a form body travels percent-encoded; a CRM that
// echoes the request it got must not get it into last_response that way.
TEST(Redactor, HidesPercentEncodedAndJsonEscapedSecrets) {
    Redactor redactor;
    redactor.add("p@ss w/rd+\"x\"");
    EXPECT_EQ(redactor.redact("GET /api?key=p%40ss%20w%2Frd%2B%22x%22&a=1"),
              "GET /api?key=[redacted]&a=1");
    EXPECT_EQ(redactor.redact("key=p%40ss%20w%2frd%2b%22x%22"), "key=[redacted]");
    EXPECT_EQ(redactor.redact("key=p%40ss+w%2Frd%2B%22x%22"), "key=[redacted]");
    EXPECT_EQ(redactor.redact(R"({"key":"p@ss w/rd+\"x\""})"), R"({"key":"[redacted]"})");
}

TEST(SecretStore, RefreshRereadsTheFile) {
    auto file =
        std::filesystem::temp_directory_path() / ("fbl-crm-secret-" + std::to_string(::getpid()));
    std::ofstream(file) << "old\n";
    std::filesystem::permissions(
        file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    Redactor redactor;
    SecretStore store({{"token", config::Secret("old", "file " + file.string())}}, redactor);
    EXPECT_EQ(*store.find("token"), "old");
    EXPECT_FALSE(store.refresh());
    std::ofstream(file) << "new-token\n";
    EXPECT_TRUE(store.refresh());
    // Made readable by others since: not taken, the last good value stays.
    std::ofstream(file) << "leaked-token\n";
    std::filesystem::permissions(file, std::filesystem::perms::others_read,
                                 std::filesystem::perm_options::add);
    EXPECT_FALSE(store.refresh());
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

// A CRM (or whoever answers in its place) that asks for an absurd wait must
// not overflow the next attempt's time point into the past.
TEST(RetryPolicy, HugeRetryAfterIsClamped) {
    auto now = Clock::now();
    EXPECT_EQ(parse_retry_after("9223372036854775807", now), kMaxRetryAfter);
    EXPECT_EQ(parse_retry_after("99999999999999999999999999", now), kMaxRetryAfter);
    EXPECT_EQ(parse_retry_after("Fri, 31 Dec 9999 23:59:59 GMT", now), kMaxRetryAfter);
    EXPECT_EQ(parse_retry_after("3600", now), std::chrono::seconds(3600));
    config::RetryPolicy policy{std::chrono::seconds(10), std::chrono::seconds(100),
                               std::chrono::hours(24 * 30)};
    std::mt19937_64 random(1);
    auto when = next_attempt(policy, 1, std::chrono::seconds::max(), now, now, random);
    ASSERT_TRUE(when);
    EXPECT_EQ(*when, now + kMaxRetryAfter);
    policy.give_up_after = std::chrono::hours(72);
    EXPECT_FALSE(next_attempt(policy, 1, std::chrono::seconds::max(), now, now, random));
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
