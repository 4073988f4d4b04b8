#include "web/healthz.h"

#include <gtest/gtest.h>

#include "tests/web/web_world.h"

namespace fbl::web {
namespace {

TEST(Healthz, StoreAnsweringIs200Ok) {
    auto response = healthz([] { return true; });
    EXPECT_EQ(response.status, Status::ok);
    EXPECT_EQ(response.body, "ok\n");
}

TEST(Healthz, StoreNotAnsweringIs503) {
    EXPECT_EQ(healthz([] { return false; }).status, Status::service_unavailable);
}

// Through the real routes and a real SQLite store: the registration line
// and StoreHealth, without a socket.
TEST(Healthz, RoutedWithARealStore) {
    testing::WebWorld world;
    Request request;
    request.path = "/healthz";
    EXPECT_EQ(world.route(request).status, Status::ok);
}

TEST(Healthz, MissingStoreDirectoryIs503) {
    testing::WebWorld world("/nonexistent-fbl-dir/store.db");
    Request request;
    request.path = "/healthz";
    EXPECT_EQ(world.route(request).status, Status::service_unavailable);
}

}  // namespace
}  // namespace fbl::web
