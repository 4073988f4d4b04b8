#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include <unistd.h>

#include "config/config.h"
#include "store/store.h"
#include "web/event_committer.h"
#include "web/rate_limit.h"
#include "web/routes.h"
#include "web/store_health.h"

// fblweb's handlers over a real SQLite store in a temporary directory,
// without a socket: what the route tests share.
namespace fbl::web::testing {

inline config::StoreSettings sqlite_at(const std::filesystem::path& path) {
    config::StoreSettings settings;
    settings.backend = config::StoreBackend::sqlite;
    settings.sqlite.path = path.string();
    return settings;
}

inline config::ReferenceKey test_key() {
    return config::ReferenceKey{"k1", config::Secret("0123456789abcdef-web-test-key", "test")};
}

class WebWorld {
  public:
    // `store_path` empty: a fresh store in a new temporary directory.
    explicit WebWorld(std::string store_path = {}) {
        static int counter = 0;
        directory_ = std::filesystem::temp_directory_path() /
                     ("fbl-web-" + std::to_string(::getpid()) + "-" + std::to_string(++counter));
        std::filesystem::create_directories(directory_);
        auto config = std::make_shared<config::Config>();
        config->store =
            sqlite_at(store_path.empty() ? (directory_ / "store.db").string() : store_path);
        config->feedback.reference_header.keys = {test_key()};
        config->feedback.reference_header.active_key = "k1";
        config->web.public_url = "https://fbl.example.com";
        config_ = config;
        health_ = std::make_unique<StoreHealth>(config_->store);
        committer_ = std::make_unique<EventCommitter>([this] { return config_; });
        services_ = std::make_unique<RouteServices>(RouteServices{
            *health_, *committer_, limiter_, certificates_, [this] { return config_; }});
        router_ = make_router(*services_);
    }
    ~WebWorld() {
        committer_.reset();
        std::error_code ignored;
        std::filesystem::remove_all(directory_, ignored);
    }

    // Changes apply to the next request, as a reload does.
    config::Config& config() { return const_cast<config::Config&>(*config_); }
    Response route(const Request& request) const { return router_.route(request); }
    std::unique_ptr<store::Store> open_store() const { return store::open_store(config_->store); }

  private:
    std::filesystem::path directory_;
    std::shared_ptr<const config::Config> config_;
    std::unique_ptr<StoreHealth> health_;
    std::unique_ptr<EventCommitter> committer_;
    RateLimiter limiter_;
    hooks::DirectoryThenFetchCertificates certificates_{""};
    std::unique_ptr<RouteServices> services_;
    Router router_;
};

}  // namespace fbl::web::testing
