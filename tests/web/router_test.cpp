#include "web/router.h"

#include <gtest/gtest.h>

namespace fbl::web {
namespace {

Request request(Method method, std::string path) {
    Request made;
    made.method = method;
    made.path = std::move(path);
    return made;
}

Handler answering(std::string body) {
    return [body](const Request&) { return text_response(Status::ok, body); };
}

Router sample() {
    Router router;
    router.add(Method::get, PathMatch::exact, "/healthz", answering("health"))
        .add(Method::get, PathMatch::prefix, "/u/", answering("page"))
        .add(Method::post, PathMatch::prefix, "/u/", answering("commit"))
        .add(Method::get, PathMatch::prefix, "/u/special/", answering("longer"))
        .add(Method::get, PathMatch::exact, "/u/exact", answering("exact"));
    return router;
}

TEST(Router, ExactPathGoesToItsHandler) {
    auto response = sample().route(request(Method::get, "/healthz"));
    EXPECT_EQ(response.status, Status::ok);
    EXPECT_EQ(response.body, "health");
}

TEST(Router, ExactPathDoesNotMatchLongerOrShorterPaths) {
    EXPECT_EQ(sample().route(request(Method::get, "/healthz/x")).status, Status::not_found);
    EXPECT_EQ(sample().route(request(Method::get, "/health")).status, Status::not_found);
}

TEST(Router, UnknownPathIs404PlainText) {
    auto response = sample().route(request(Method::get, "/nothing"));
    EXPECT_EQ(response.status, Status::not_found);
    EXPECT_EQ(response.content_type, ContentType::text_plain);
}

TEST(Router, PrefixSelectsByMethod) {
    EXPECT_EQ(sample().route(request(Method::get, "/u/abc")).body, "page");
    EXPECT_EQ(sample().route(request(Method::post, "/u/abc")).body, "commit");
}

TEST(Router, ExactBeatsPrefixAndLongerPrefixBeatsShorter) {
    EXPECT_EQ(sample().route(request(Method::get, "/u/exact")).body, "exact");
    EXPECT_EQ(sample().route(request(Method::get, "/u/special/x")).body, "longer");
}

TEST(Router, WrongMethodIs405WithAllow) {
    auto response = sample().route(request(Method::post, "/healthz"));
    EXPECT_EQ(response.status, Status::method_not_allowed);
    EXPECT_EQ(response.headers.find("allow").value_or(""), "GET, HEAD");
    auto prefix = sample().route(request(Method::del, "/u/abc"));
    EXPECT_EQ(prefix.status, Status::method_not_allowed);
    EXPECT_EQ(prefix.headers.find("Allow").value_or(""), "GET, HEAD, POST");
}

// A POST to a path only a shorter prefix takes for POST is not handed to
// that prefix's handler: the longer route owns the path.
TEST(Router, MethodOfAShorterPrefixDoesNotStealALongerRoute) {
    EXPECT_EQ(sample().route(request(Method::post, "/u/special/x")).status,
              Status::method_not_allowed);
}

TEST(Router, HeadIsServedByGet) {
    EXPECT_EQ(sample().route(request(Method::head, "/healthz")).body, "health");
}

TEST(Router, UnknownVerbIs405) {
    EXPECT_EQ(method_from("BREW"), Method::other);
    EXPECT_EQ(method_from("get"), Method::other);
    EXPECT_EQ(sample().route(request(Method::other, "/healthz")).status,
              Status::method_not_allowed);
}

TEST(Router, HandlerSeesTheRequest) {
    Router router;
    router.add(Method::post, PathMatch::exact, "/echo", [](const Request& seen) {
        return text_response(Status::ok, seen.client_address + " " + seen.body);
    });
    auto sent = request(Method::post, "/echo");
    sent.body = "hello";
    sent.client_address = "192.0.2.7";
    EXPECT_EQ(router.route(sent).body, "192.0.2.7 hello");
}

}  // namespace
}  // namespace fbl::web
