#include "milter/daemon.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <fmt/format.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "common/log.h"
#include "config/loader.h"
#include "config/socket_spec.h"
#include "fbl/version.h"
#include "store/rekey.h"
#include "suppression/normalize.h"

namespace fbl::milter {
namespace {

std::runtime_error system_error(const std::string& what) {
    return std::runtime_error(what + ": " + std::strerror(errno));
}

void apply_logging(const config::LoggingSettings& logging) {
    log::configure(logging.destination, logging.level, logging.pii);
}

}  // namespace

Daemon::Daemon(std::string config_path, config::Config config)
    : config_path_(std::filesystem::absolute(config_path).string()),
      config_(std::make_shared<const config::Config>(std::move(config))) {
    apply_logging(config_->logging);
}

Daemon::~Daemon() {
    if (reload_thread_.joinable()) {
        pthread_kill(reload_thread_.native_handle(), SIGUSR2);
        reload_thread_.join();
    }
}

std::shared_ptr<const Runtime> Daemon::current() const {
    return runtime_.load();
}

void Daemon::publish(std::shared_ptr<const config::Config> config) {
    runtime_.store(std::make_shared<const Runtime>(config, &services_->lookup(),
                                                   &services_->intake(), services_->send_log()));
    config_ = std::move(config);
}

// New normalisation settings give addresses new keys; the store's keys
// must move first, in one transaction, which a reload cannot do safely while
// connections look keys up. A restart does it before the index is built.
void Daemon::refuse_key_change(const config::Config& fresh) const {
    std::string running =
        suppression::AddressNormalizer(config_->suppression).settings_description();
    std::string wanted = suppression::AddressNormalizer(fresh.suppression).settings_description();
    if (running != wanted) {
        throw std::runtime_error(fmt::format(
            "the suppression normalisation changed (from {} to {}), which gives addresses new "
            "keys; restart fblmilter to re-key the store at start (or stop it, run `fblctl "
            "rekey`, and start it)",
            running, wanted));
    }
}

// Another node (or `fblctl rekey`) re-keyed the shared store: its changes
// are about to move every key in the index. Looking keys up the old way from
// here on would miss them, so this process takes the store's settings, on
// the follower's thread, before those changes are applied.
void Daemon::adopt_store_keys(const std::string& recorded) {
    std::lock_guard lock(reload_mutex_);
    auto settings = store::settings_described(recorded, config_->suppression);
    if (!settings) {
        log::error(
            "store: re-keyed for normalisation {}, which this fblmilter cannot read; restart it "
            "with an fblmilter and a configuration that match",
            recorded);
        return;
    }
    auto adopted = std::make_shared<config::Config>(*config_);
    adopted->suppression = *settings;
    services_->reconfigure(*adopted);
    publish(std::move(adopted));
    log::warning(
        "store: re-keyed elsewhere for normalisation {}; this fblmilter now looks keys up that "
        "way. Put the same suppression settings in {} before it restarts: a restart with the old "
        "ones would re-key the store back",
        recorded, config_path_);
}

bool Daemon::reload() {
    std::lock_guard lock(reload_mutex_);
    try {
        auto fresh = std::make_shared<const config::Config>(config::load_file(config_path_));
        if (fresh->store.backend != config_->store.backend ||
            fresh->store.sqlite.path != config_->store.sqlite.path ||
            fresh->store.postgres.conninfo != config_->store.postgres.conninfo ||
            fresh->milter.socket != config_->milter.socket ||
            fresh->metrics.listen != config_->metrics.listen) {
            log::warning(
                "reload: store, socket and metrics.listen changes take effect only after a "
                "restart");
        }
        refuse_key_change(*fresh);
        apply_logging(fresh->logging);
        for (const std::string& warning : fresh->warnings) {
            log::warning("reload: {}: {}", config_path_, warning);
        }
        services_->reconfigure(*fresh);
        publish(std::move(fresh));
        log::notice("reload: configuration {} is now in force", config_path_);
        return true;
    } catch (const config::ConfigInvalid& error) {
        log::error("reload refused, the previous configuration stays in force:\n{}", error.what());
    } catch (const std::exception& error) {
        log::error("reload refused, the previous configuration stays in force: {}", error.what());
    }
    return false;
}

void Daemon::open_socket() {
    const auto& settings = config_->milter;
    auto spec = config::SocketSpec::parse(settings.socket, nullptr);
    if (!spec) {
        throw std::runtime_error("bad milter.socket " + settings.socket);
    }
    if (smfi_setconn(const_cast<char*>(settings.socket.c_str())) != MI_SUCCESS ||
        smfi_setbacklog(settings.backlog) != MI_SUCCESS ||
        smfi_settimeout(static_cast<int>(settings.timeout.count())) != MI_SUCCESS) {
        throw std::runtime_error("libmilter refused the socket settings for " + settings.socket);
    }
    if (spec->family == config::SocketSpec::Family::unix_path) {
        std::filesystem::create_directories(std::filesystem::path(spec->path).parent_path());
    }
    // true: remove a stale unix socket left by a crash.
    if (smfi_opensocket(true) != MI_SUCCESS) {
        throw std::runtime_error("cannot open milter socket " + settings.socket +
                                 " (in use, or no permission)");
    }
    if (spec->family == config::SocketSpec::Family::unix_path) {
        if (chmod(spec->path.c_str(), settings.socket_mode) != 0) {
            throw system_error("chmod " + spec->path);
        }
        if (!settings.user.empty() && getuid() == 0) {
            const passwd* user = getpwnam(settings.user.c_str());
            if (user != nullptr &&
                chown(spec->path.c_str(), user->pw_uid, static_cast<gid_t>(-1)) != 0) {
                throw system_error("chown " + spec->path);
            }
        }
    }
}

void Daemon::drop_privileges() {
    const auto& settings = config_->milter;
    if (settings.user.empty()) {
        return;
    }
    const passwd* user = getpwnam(settings.user.c_str());
    if (user == nullptr) {
        throw std::runtime_error("milter.user: no such user " + settings.user);
    }
    gid_t group_id = user->pw_gid;
    if (!settings.group.empty()) {
        const group* named = getgrnam(settings.group.c_str());
        if (named == nullptr) {
            throw std::runtime_error("milter.group: no such group " + settings.group);
        }
        group_id = named->gr_gid;
    }
    if (getuid() == user->pw_uid) {
        return;
    }
    if (initgroups(user->pw_name, group_id) != 0 || setgid(group_id) != 0 ||
        setuid(user->pw_uid) != 0) {
        throw system_error("cannot drop privileges to " + settings.user);
    }
    log::info("running as user {}", settings.user);
}

void Daemon::write_pid_file() {
    const auto& path = config_->milter.pid_file;
    if (path.empty()) {
        return;
    }
    std::ofstream out(path, std::ios::trunc);
    out << getpid() << '\n';
    if (!out) {
        throw system_error("cannot write pid file " + path);
    }
}

// libmilter owns SIGHUP/SIGTERM/SIGINT; SIGUSR1 is ours. This thread only
// waits for it and reloads; SIGUSR2 tells it to end.
void Daemon::start_reload_thread() {
    reload_thread_ = std::thread([this] {
        sigset_t signals;
        sigemptyset(&signals);
        sigaddset(&signals, SIGUSR1);
        sigaddset(&signals, SIGUSR2);
        for (;;) {
            int signal_number = 0;
            if (sigwait(&signals, &signal_number) != 0 || signal_number == SIGUSR2) {
                return;
            }
            reload();
        }
    });
}

// Started after the services: the scrape hook samples them. Stopped before
// them for the same reason.
void Daemon::start_metrics() {
    auto& registry = metrics::global();
    registry.on_scrape([this](metrics::Metrics& sampled) { services_->refresh_metrics(sampled); });
    metrics_endpoint_ = metrics::start_endpoint(registry, config_->metrics.listen);
    if (metrics_endpoint_) {
        log::notice("metrics served on {}", config_->metrics.listen);
    }
}

void Daemon::stop_metrics() {
    metrics_endpoint_.reset();
    metrics::global().on_scrape({});
}

int Daemon::run(bool foreground) {
    // Blocked before any thread starts, so every thread inherits the mask:
    // libmilter's signal thread takes HUP/TERM/INT (stop), ours USR1/USR2.
    sigset_t signals;
    sigemptyset(&signals);
    for (int signal_number : {SIGHUP, SIGTERM, SIGINT, SIGUSR1, SIGUSR2}) {
        sigaddset(&signals, signal_number);
    }
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    // libmilter wants the filter registered before the socket is opened.
    auto description = filter_description(*this);
    if (smfi_register(description) != MI_SUCCESS) {
        throw std::runtime_error("smfi_register failed");
    }
    open_socket();
    if (!foreground && daemon(0, 0) != 0) {
        throw system_error("cannot go to the background");
    }
    write_pid_file();
    drop_privileges();
    services_ = std::make_unique<Services>(*config_);
    publish(config_);
    services_->follow_key_settings(
        suppression::AddressNormalizer(config_->suppression).settings_description(),
        [this](const std::string& recorded) { adopt_store_keys(recorded); });
    start_reload_thread();
    services_->start();
    start_metrics();
    log::notice("fblmilter {} ready on {} with {}", kVersion, config_->milter.socket, config_path_);
    sd_notify(0, "READY=1");
    int status = smfi_main();
    sd_notify(0, "STOPPING=1");
    log::notice("fblmilter stopping");
    stop_metrics();
    services_->stop();
    if (!config_->milter.pid_file.empty()) {
        unlink(config_->milter.pid_file.c_str());
    }
    return status == MI_SUCCESS ? 0 : 1;
}

}  // namespace fbl::milter
