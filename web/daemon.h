#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>

#include "config/config.h"
#include "web/console/console_services.h"
#include "web/event_committer.h"
#include "web/rate_limit.h"
#include "web/router.h"
#include "web/routes.h"
#include "web/store_health.h"

namespace fbl::web {

// The fblweb process: the server, the router and the config in force
// (swapped on SIGUSR1, as in fblmilter).
class Daemon {
  public:
    Daemon(std::string config_path, config::Config config);

    // Serves until SIGTERM/SIGINT/SIGHUP; returns the exit status.
    int run(bool foreground);

    // Loads the config file again; a bad one is refused and the old one
    // stays. Returns whether the new config is now in force.
    bool reload();

  private:
    // The real client address and whether it came over TLS, then the router.
    Response dispatch(const Router& router, Request& request) const;
    // The console's services, and its routes: on the main router, or on a
    // router of their own for web.console.listen.
    void set_up_console(const config::Config& config);
    void warn_about_restart_only_changes(const config::Config& fresh) const;

    std::string config_path_;
    std::atomic<std::shared_ptr<const config::Config>> config_;
    std::mutex reload_mutex_;
    std::unique_ptr<StoreHealth> store_health_;
    std::unique_ptr<EventCommitter> committer_;
    RateLimiter rate_limiter_;
    std::unique_ptr<hooks::SnsCertificates> sns_certificates_;
    std::unique_ptr<RouteServices> services_;
    Router router_;
    std::unique_ptr<console::SessionTable> sessions_;
    std::unique_ptr<console::UserDirectory> users_;
    RateLimiter login_limiter_;
    std::unique_ptr<console::SharedStore> console_store_;
    std::unique_ptr<console::ConsoleServices> console_services_;
    Router console_router_;  // used only with web.console.listen
};

}  // namespace fbl::web
