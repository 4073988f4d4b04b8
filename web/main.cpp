#include <iostream>

#include <CLI/CLI.hpp>

#include "common/log.h"
#include "config/access_check.h"
#include "config/loader.h"
#include "fbl/version.h"
#include "web/daemon.h"

namespace {

// sysexits, as fblmilter's: the service manager and the admin tell them apart.
constexpr int kExitOsErr = 71;  // EX_OSERR: the port, the TLS files

// What fblweb would meet at start, checked as the daemon's user where it
// can be; the syntax was checked by loading.
int check_config(const std::string& path, const fbl::config::Config& config) {
    auto access = fbl::config::check_access_as_daemon_user(config);
    auto web_problems = fbl::config::web_access_problems(config.web);
    access.problems.insert(access.problems.end(), web_problems.begin(), web_problems.end());
    auto webhook_problems = fbl::config::webhook_access_problems(config.webhooks);
    access.problems.insert(access.problems.end(), webhook_problems.begin(), webhook_problems.end());
    auto warnings = fbl::config::warnings(config);
    warnings.insert(warnings.end(), config.warnings.begin(), config.warnings.end());
    warnings.insert(warnings.end(), access.warnings.begin(), access.warnings.end());
    return fbl::config::report_check(path, warnings, access.problems);
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"fblweb - the HTTP side of fblmilter (health, later one-click and webhooks)",
                 "fblweb"};
    std::string config_path = fbl::config::default_path();
    bool check_only = false;
    bool foreground = false;
    app.set_version_flag("--version", std::string("fblweb ") + fbl::kVersion);
    app.add_option("-c,--config", config_path, "configuration file")->capture_default_str();
    app.add_flag("--check-config", check_only, "validate the configuration and exit");
    app.add_flag("-f,--foreground", foreground, "stay in the foreground (for systemd)");
    CLI11_PARSE(app, argc, argv);

    fbl::config::Config config;
    try {
        config = fbl::config::load_file(config_path);
    } catch (const fbl::config::ConfigInvalid& error) {
        std::cerr << error.what() << '\n';
        return fbl::config::kExitConfig;
    }
    if (check_only) {
        return check_config(config_path, config);
    }
    try {
        auto warnings = config.warnings;
        fbl::web::Daemon daemon(config_path, std::move(config));
        for (const auto& warning : warnings) {
            fbl::log::warning("{}", warning);
        }
        return daemon.run(foreground);
    } catch (const std::exception& error) {
        fbl::log::error("{}", error.what());
        return kExitOsErr;
    }
}
