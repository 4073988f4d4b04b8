#include <iostream>

#include <CLI/CLI.hpp>

#include "common/log.h"
#include "config/loader.h"
#include "crm/adapter.h"
#include "fbl/version.h"
#include "milter/daemon.h"
#include "suppression/store.h"

namespace {

// sysexits: the service manager and the admin tell these apart.
constexpr int kExitUnavailable = 69;  // EX_UNAVAILABLE: the store cannot be opened
constexpr int kExitOsErr = 71;        // EX_OSERR: socket, privileges, pid file

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
        fbl::crm::build_adapters(config.crm);
    } catch (const fbl::crm::AdapterError& error) {
        std::cerr << config_path << ": crm: " << error.what() << '\n';
        return fbl::config::kExitConfig;
    }
    for (const std::string& warning : config.warnings) {
        if (check_only) {
            std::cerr << config_path << ": warning: " << warning << '\n';
        } else {
            fbl::log::warning("{}: {}", config_path, warning);
        }
    }
    if (check_only) {
        return 0;
    }
    try {
        fbl::milter::Daemon daemon(config_path, std::move(config));
        return daemon.run(foreground);
    } catch (const fbl::suppression::StoreUnavailable& error) {
        fbl::log::error("cannot open the store: {}", error.what());
        return kExitUnavailable;
    } catch (const fbl::suppression::StoreCorrupt& error) {
        fbl::log::error("cannot use the store: {}", error.what());
        return kExitUnavailable;
    } catch (const std::exception& error) {
        fbl::log::error("{}", error.what());
        return kExitOsErr;
    }
}
