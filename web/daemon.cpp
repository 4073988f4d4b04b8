#include "web/daemon.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include <signal.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "common/log.h"
#include "common/metrics.h"
#include "config/loader.h"
#include "fbl/version.h"
#include "web/client_address.h"
#include "web/console/console_routes.h"
#include "web/console/file_user_directory.h"
#include "web/server.h"

namespace fbl::web {
namespace {

void apply_logging(const config::LoggingSettings& logging) {
    log::configure(logging.destination, logging.level, logging.pii, "fblweb");
}

// Blocked before any thread starts, so every thread inherits the mask and
// only run()'s sigwait sees them.
sigset_t block_signals() {
    sigset_t signals;
    sigemptyset(&signals);
    for (int signal_number : {SIGHUP, SIGTERM, SIGINT, SIGUSR1}) {
        sigaddset(&signals, signal_number);
    }
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    return signals;
}

bool same_server(const config::WebSettings& a, const config::WebSettings& b) {
    return a.listen.host == b.listen.host && a.listen.port == b.listen.port &&
           a.threads == b.threads && a.request_timeout == b.request_timeout &&
           a.max_body == b.max_body && a.max_commit_batch == b.max_commit_batch &&
           a.metrics_listen == b.metrics_listen && a.tls.cert_file == b.tls.cert_file &&
           a.tls.key_file == b.tls.key_file;
}

bool same_store(const config::StoreSettings& a, const config::StoreSettings& b) {
    return a.backend == b.backend && a.sqlite.path == b.sqlite.path &&
           a.postgres.conninfo == b.postgres.conninfo;
}

}  // namespace

Daemon::Daemon(std::string config_path, config::Config config)
    : config_path_(std::filesystem::absolute(config_path).string()),
      config_(std::make_shared<const config::Config>(std::move(config))) {
    apply_logging(config_.load()->logging);
}

Response Daemon::dispatch(const Router& router, Request& request) const {
    auto config = config_.load();
    auto forwarded_for = request.headers.find("X-Forwarded-For");
    request.secure = config->web.tls.enabled() ||
                     (proxy_is_trusted(request.client_address, config->web.trusted_proxies) &&
                      request.headers.find("X-Forwarded-Proto").value_or("") == "https");
    request.client_address = real_client_address(request.client_address, forwarded_for.value_or(""),
                                                 config->web.trusted_proxies);
    return router.route(request);
}

void Daemon::set_up_console(const config::Config& config) {
    const auto& settings = config.web.console;
    if (!settings.enabled) {
        return;
    }
    sessions_ =
        std::make_unique<console::SessionTable>(settings.session_idle, settings.session_lifetime);
    // The file is read again when it changes; moving it to another path
    // takes a restart.
    users_ = std::make_unique<console::FileUserDirectory>(settings.users_file);
    console_store_ = std::make_unique<console::SharedStore>(config.store);
    console_services_ = std::make_unique<console::ConsoleServices>(console::ConsoleServices{
        *sessions_, *users_, login_limiter_, *console_store_, [this] { return config_.load(); }});
    console::add_console_routes(settings.listen ? console_router_ : router_, *console_services_);
}

void Daemon::warn_about_restart_only_changes(const config::Config& fresh) const {
    auto running = config_.load();
    if (!same_server(running->web, fresh.web) || !same_store(running->store, fresh.store)) {
        log::warning(
            "reload: web.listen, threads, request_timeout, max_body, tls and store changes "
            "take effect only after a restart");
    }
}

bool Daemon::reload() {
    std::lock_guard lock(reload_mutex_);
    try {
        auto fresh = std::make_shared<const config::Config>(config::load_file(config_path_));
        warn_about_restart_only_changes(*fresh);
        apply_logging(fresh->logging);
        for (const std::string& warning : fresh->warnings) {
            log::warning("reload: {}: {}", config_path_, warning);
        }
        config_.store(std::move(fresh));
        log::notice("reload: configuration {} is now in force", config_path_);
        return true;
    } catch (const config::ConfigInvalid& error) {
        log::error("reload refused, the previous configuration stays in force:\n{}", error.what());
    } catch (const std::exception& error) {
        log::error("reload refused, the previous configuration stays in force: {}", error.what());
    }
    return false;
}

int Daemon::run(bool foreground) {
    sigset_t signals = block_signals();
    if (!foreground && daemon(0, 0) != 0) {
        throw std::runtime_error(std::string("cannot go to the background: ") +
                                 std::strerror(errno));
    }
    auto config = config_.load();
    store_health_ = std::make_unique<StoreHealth>(config->store);
    if (!store_health_->healthy()) {
        // Served anyway: /healthz says 503 until the store answers.
        log::warning("the store does not answer yet; /healthz answers 503 until it does");
    }
    auto config_in_force = [this] { return config_.load(); };
    committer_ = std::make_unique<EventCommitter>(
        config_in_force, static_cast<std::size_t>(config->web.max_commit_batch));
    sns_certificates_ = std::make_unique<hooks::DirectoryThenFetchCertificates>(
        config->webhooks.ses.certificate_dir);
    services_ = std::make_unique<RouteServices>(RouteServices{
        *store_health_, *committer_, rate_limiter_, *sns_certificates_, config_in_force});
    router_ = make_router(*services_);
    set_up_console(*config);
    auto metrics_endpoint = metrics::start_endpoint(metrics::global(), config->web.metrics_listen);
    if (metrics_endpoint) {
        log::notice("metrics served on {}", config->web.metrics_listen);
    }
    auto server = std::make_unique<Server>(
        config->web, [this](Request& request) { return dispatch(router_, request); });
    std::unique_ptr<Server> console_server;
    if (config->web.console.enabled && config->web.console.listen) {
        auto console_web = config->web;
        console_web.listen = *config->web.console.listen;
        console_server = std::make_unique<Server>(
            console_web, [this](Request& request) { return dispatch(console_router_, request); });
        log::notice("console served on {}", metrics::to_string(console_web.listen));
    }
    log::notice("fblweb {} ready on {}{} with {}", kVersion, metrics::to_string(config->web.listen),
                config->web.tls.enabled() ? " (TLS)" : "", config_path_);
    sd_notify(0, "READY=1");
    for (;;) {
        int signal_number = 0;
        if (sigwait(&signals, &signal_number) != 0) {
            continue;
        }
        if (signal_number != SIGUSR1) {
            break;
        }
        reload();
    }
    sd_notify(0, "STOPPING=1");
    log::notice("fblweb stopping");
    console_server.reset();
    server.reset();  // every request answered before the committer stops
    committer_.reset();
    return 0;
}

}  // namespace fbl::web
