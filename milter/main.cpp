#include <iostream>

#include <CLI/CLI.hpp>

#include "common/log.h"
#include "config/access_check.h"
#include "config/loader.h"
#include "crm/adapter.h"
#include "fbl/version.h"
#include "milter/daemon.h"
#include "store/store.h"
#include "suppression/normalize.h"

namespace {

// sysexits: the service manager and the admin tell these apart.
constexpr int kExitUnavailable = 69;  // EX_UNAVAILABLE: the store cannot be opened
constexpr int kExitOsErr = 71;        // EX_OSERR: socket, privileges, pid file

// What the daemon would meet at start, checked with its user's rights; the
// syntax was checked by loading.
int check_config(const std::string& path, const fbl::config::Config& config,
                 std::vector<std::string> warnings) {
    auto access = fbl::config::check_access_as_daemon_user(config);
    warnings.insert(warnings.end(), access.warnings.begin(), access.warnings.end());
    auto recorded_keys = fbl::store::peek_key_settings(config.store);
    auto configured_keys =
        fbl::suppression::AddressNormalizer(config.suppression).settings_description();
    if (recorded_keys && *recorded_keys != configured_keys) {
        warnings.push_back(
            "the suppression normalisation differs from the one the store's keys were made with (" +
            *recorded_keys +
            "): fblmilter re-keys the store at its next start (a reload "
            "refuses the change); `fblctl rekey` does it now");
    }
    return fbl::config::report_check(path, warnings, access.problems);
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"fblmilter - spam-complaint feedback loop milter for Postfix and Sendmail",
                 "fblmilter"};
    std::string config_path = fbl::config::default_path();
    bool check_only = false;
    bool foreground = false;
    app.set_version_flag("--version", std::string("fblmilter ") + fbl::kVersion);
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
    try {
        // config/ cannot know the CRM presets; an adapter that cannot be
        // built is a configuration error all the same.
        fbl::crm::build_adapters(config);
    } catch (const fbl::crm::AdapterError& error) {
        std::cerr << config_path << ": crm: " << error.what() << '\n';
        return fbl::config::kExitConfig;
    }
    auto warnings = fbl::config::warnings(config);
    // Found while loading (ignored keys and the like), logged like the rest.
    warnings.insert(warnings.end(), config.warnings.begin(), config.warnings.end());
    if (check_only) {
        return check_config(config_path, config, warnings);
    }
    try {
        fbl::milter::Daemon daemon(config_path, std::move(config));
        for (const auto& warning : warnings) {
            fbl::log::warning("{}", warning);
        }
        return daemon.run(foreground);
    } catch (const fbl::store::StoreUnavailable& error) {
        fbl::log::error("cannot open the store: {}", error.what());
        return kExitUnavailable;
    } catch (const fbl::store::StoreCorrupt& error) {
        fbl::log::error("cannot use the store: {}", error.what());
        return kExitUnavailable;
    } catch (const std::exception& error) {
        fbl::log::error("{}", error.what());
        return kExitOsErr;
    }
}
