#include "web/one_click.h"

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "feedback_loop/unsubscribe_token.h"
#include "tests/web/web_world.h"
#include "web/unsubscribe_pages.h"

namespace fbl::web {
namespace {

using std::chrono::system_clock;

std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(system_clock::now().time_since_epoch())
        .count();
}

std::string token_for(const std::string& recipient, const std::string& mailing,
                      std::int64_t issued_at = unix_now()) {
    return feedback_loop::UnsubscribeSigner(testing::test_key())
        .sign({recipient, mailing, issued_at});
}

Request request_for(Method method, const std::string& token, std::string accept_language = {}) {
    Request request;
    request.method = method;
    request.path = "/u/" + token;
    request.client_address = "192.0.2.7";
    if (method == Method::post) {
        request.headers.add("Content-Type", "application/x-www-form-urlencoded");
        request.body = "List-Unsubscribe=One-Click";
    }
    if (!accept_language.empty()) {
        request.headers.add("Accept-Language", std::move(accept_language));
    }
    return request;
}

class OneClickTest : public ::testing::Test {
  protected:
    OneClickTest() {
        for (const char* name : {"superoffice", "webhook"}) {
            config::CrmAdapter adapter;
            adapter.name = name;
            world_.config().crm.adapters.push_back(adapter);
        }
    }
    std::size_t complaints() { return world_.open_store()->complaints({}).size(); }

    testing::WebWorld world_;
};

TEST_F(OneClickTest, PostUnsubscribesMarketingOnceCommittedWithTheMailing) {
    auto response = world_.route(request_for(Method::post, token_for("Reader@Example.org", "dec")));
    EXPECT_EQ(response.status, Status::ok);
    EXPECT_EQ(response.content_type, ContentType::text_html);
    EXPECT_NE(response.body.find("You are unsubscribed"), std::string::npos);
    EXPECT_FALSE(response.headers.find("Set-Cookie"));
    EXPECT_FALSE(response.headers.find("Location"));
    auto store = world_.open_store();
    auto entry = store->find("reader@example.org");
    ASSERT_TRUE(entry);
    EXPECT_EQ(entry->scope, suppression::Scope::marketing);
    EXPECT_EQ(entry->reason, store::Reason::unsubscribe);
    EXPECT_EQ(entry->mailing_id, "dec");
    EXPECT_TRUE(entry->source.starts_with("one-click:"));
    EXPECT_EQ(store->outbox(std::nullopt).size(), 2u);  // one revocation per adapter
    auto stored = store->complaints({});
    ASSERT_EQ(stored.size(), 1u);
    EXPECT_EQ(stored[0].channel, store::Channel::one_click);
    EXPECT_EQ(stored[0].trust_reason, "one-click token k1");
}

// Providers POST more than once, and a person may press twice.
TEST_F(OneClickTest, TheSamePostTwiceIsOneUnsubscribe) {
    auto token = token_for("reader@example.org", "dec");
    EXPECT_EQ(world_.route(request_for(Method::post, token)).status, Status::ok);
    EXPECT_EQ(world_.route(request_for(Method::post, token)).status, Status::ok);
    EXPECT_EQ(complaints(), 1u);
    EXPECT_EQ(world_.open_store()->outbox(std::nullopt).size(), 2u);
}

TEST_F(OneClickTest, AnyPostBodyUnsubscribesTheTokenIsTheProof) {
    auto request = request_for(Method::post, token_for("reader@example.org", "dec"));
    request.headers = {};
    request.headers.add("Content-Type", "multipart/form-data; boundary=x");
    request.body =
        "--x\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\n"
        "One-Click\r\n--x--\r\n";
    EXPECT_EQ(world_.route(request).status, Status::ok);
    EXPECT_EQ(complaints(), 1u);
}

// Mail scanners follow links: a GET shows the question and changes nothing.
TEST_F(OneClickTest, GetShowsAPageWithAPostButtonAndChangesNothing) {
    auto response = world_.route(request_for(Method::get, token_for("reader@example.org", "dec")));
    EXPECT_EQ(response.status, Status::ok);
    EXPECT_NE(response.body.find("<form method=\"post\""), std::string::npos);
    EXPECT_NE(response.body.find("name=\"List-Unsubscribe\" value=\"One-Click\""),
              std::string::npos);
    EXPECT_NE(response.body.find("r•••@example.org"), std::string::npos);
    EXPECT_EQ(response.body.find("reader@example.org"), std::string::npos);
    EXPECT_EQ(response.headers.find("Referrer-Policy").value_or(""), "no-referrer");
    EXPECT_EQ(response.headers.find("Cache-Control").value_or(""), "no-store");
    EXPECT_EQ(complaints(), 0u);
    EXPECT_FALSE(world_.open_store()->find("reader@example.org"));
}

TEST_F(OneClickTest, TheLanguageFollowsAcceptLanguage) {
    auto token = token_for("reader@example.org", "dec");
    auto norwegian = world_.route(request_for(Method::get, token, "nb-NO,nb;q=0.9,en;q=0.5"));
    EXPECT_NE(norwegian.body.find("lang=\"nb\""), std::string::npos);
    EXPECT_NE(norwegian.body.find("Meld meg av"), std::string::npos);
    auto english = world_.route(request_for(Method::get, token, "en-GB,nb;q=0.3"));
    EXPECT_NE(english.body.find("lang=\"en\""), std::string::npos);
    auto unknown = world_.route(request_for(Method::get, token, "de-DE"));
    EXPECT_NE(unknown.body.find("Unsubscribe"), std::string::npos);
}

TEST_F(OneClickTest, AnEditedTokenIs404AndChangesNothing) {
    auto token = token_for("reader@example.org", "dec");
    token[token.size() - 3] = token[token.size() - 3] == 'A' ? 'B' : 'A';
    EXPECT_EQ(world_.route(request_for(Method::post, token)).status, Status::not_found);
    EXPECT_EQ(world_.route(request_for(Method::get, token)).status, Status::not_found);
    EXPECT_EQ(complaints(), 0u);
}

TEST_F(OneClickTest, AnotherKeysTokenIs404) {
    config::ReferenceKey other{"k1", config::Secret("another-key-material-of-length", "test")};
    auto token =
        feedback_loop::UnsubscribeSigner(other).sign({"reader@example.org", "", unix_now()});
    EXPECT_EQ(world_.route(request_for(Method::post, token)).status, Status::not_found);
    EXPECT_EQ(complaints(), 0u);
}

TEST_F(OneClickTest, AnExpiredTokenIs404WithItsOwnPage) {
    auto old = unix_now() - 400 * 86400;
    auto response =
        world_.route(request_for(Method::post, token_for("reader@example.org", "", old)));
    EXPECT_EQ(response.status, Status::not_found);
    EXPECT_NE(response.body.find("expired"), std::string::npos);
    EXPECT_EQ(complaints(), 0u);
}

TEST_F(OneClickTest, GarbageIs400) {
    for (std::string token : {std::string(""), std::string("u1"), std::string(5000, 'A'),
                              std::string("u1.k1.%00.%00"), std::string("../../etc/passwd")}) {
        EXPECT_EQ(world_.route(request_for(Method::post, token)).status, Status::bad_request)
            << token.substr(0, 40);
    }
    EXPECT_EQ(complaints(), 0u);
}

TEST_F(OneClickTest, OneClientBeyondTheRateLimitGets429) {
    world_.config().unsubscribe.rate_limit = {1, 3};
    auto token = token_for("reader@example.org", "dec");
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(world_.route(request_for(Method::get, token)).status, Status::ok);
    }
    auto limited = world_.route(request_for(Method::post, token));
    EXPECT_EQ(limited.status, Status::too_many_requests);
    EXPECT_TRUE(limited.headers.find("Retry-After"));
    EXPECT_EQ(complaints(), 0u);
    auto elsewhere = request_for(Method::post, token);
    elsewhere.client_address = "198.51.100.1";
    EXPECT_EQ(world_.route(elsewhere).status, Status::ok);
}

TEST(OneClickUnavailable, AStoreThatCannotCommitIs503SoTheSenderRetries) {
    testing::WebWorld world("/nonexistent-fbl-dir/store.db");
    auto response = world.route(request_for(Method::post, token_for("reader@example.org", "dec")));
    EXPECT_EQ(response.status, Status::service_unavailable);
}

// Group commit: many requests at once are each answered after their own
// commit, each exactly once.
TEST_F(OneClickTest, ConcurrentPostsAreEachCommitted) {
    std::vector<std::thread> threads;
    std::vector<Status> statuses(40, Status::internal_error);
    for (int i = 0; i < 40; ++i) {
        threads.emplace_back([&, i] {
            auto request =
                request_for(Method::post, token_for("r" + std::to_string(i) + "@example.org", "m"));
            request.client_address = "10.0.0." + std::to_string(i);
            statuses[i] = world_.route(request).status;
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    for (Status status : statuses) {
        EXPECT_EQ(status, Status::ok);
    }
    EXPECT_EQ(complaints(), 40u);
}

TEST(UnsubscribePages, TheAddressIsMaskedAndEscaped) {
    EXPECT_EQ(masked_address("alice@example.com"), "a•••@example.com");
    EXPECT_EQ(masked_address("ø@example.com"), "ø•••@example.com");
    EXPECT_EQ(masked_address("nobody"), "•••");
    auto page = unsubscribe_page(UnsubscribePage::ask, Language::english, Status::ok,
                                 "a@<script>alert(1)</script>");
    EXPECT_EQ(page.body.find("<script>"), std::string::npos);
    EXPECT_NE(page.body.find("&lt;script&gt;"), std::string::npos);
}

}  // namespace
}  // namespace fbl::web
