#include "web/healthz.h"

#include <filesystem>

#include <gtest/gtest.h>
#include <unistd.h>

#include "web/routes.h"

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

config::StoreSettings sqlite_at(const std::filesystem::path& path) {
    config::StoreSettings settings;
    settings.backend = config::StoreBackend::sqlite;
    settings.sqlite.path = path.string();
    return settings;
}

// Through the real routes and a real SQLite store: the registration line
// and StoreHealth, without a socket.
TEST(Healthz, RoutedWithARealStore) {
    auto directory =
        std::filesystem::temp_directory_path() / ("fbl-web-health-" + std::to_string(::getpid()));
    std::filesystem::create_directories(directory);
    StoreHealth health(sqlite_at(directory / "store.db"));
    RouteServices services{health};
    auto router = make_router(services);
    Request request;
    request.path = "/healthz";
    EXPECT_EQ(router.route(request).status, Status::ok);
    std::filesystem::remove_all(directory);
}

TEST(Healthz, MissingStoreDirectoryIs503) {
    StoreHealth health(sqlite_at("/nonexistent-fbl-dir/store.db"));
    RouteServices services{health};
    Request request;
    request.path = "/healthz";
    EXPECT_EQ(make_router(services).route(request).status, Status::service_unavailable);
}

}  // namespace
}  // namespace fbl::web
