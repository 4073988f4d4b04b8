#include <csignal>
#include <iostream>

#include <CLI/CLI.hpp>

#include "common/log.h"
#include "config/loader.h"
#include "fbl/version.h"

int main(int argc, char** argv) {
    CLI::App app{"fblmilter - spam-complaint feedback loop milter for Postfix and Sendmail",
                 "fblmilter"};
    std::string config_path = fbl::config::default_path();
    bool check_only = false;
    bool foreground = false;
    app.set_version_flag("--version", std::string("fblmilter ") + fbl::kVersion);
    app.add_option("-c,--config", config_path, "configuration file")->capture_default_str();
    app.add_flag("--check-config", check_only, "validate the configuration and exit");
    app.add_flag("-f,--foreground", foreground, "stay in the foreground");
    CLI11_PARSE(app, argc, argv);

    fbl::config::Config config;
    try {
        config = fbl::config::load_file(config_path);
    } catch (const fbl::config::ConfigInvalid& error) {
        std::cerr << error.what() << '\n';
        return fbl::config::kExitConfig;
    }
    if (check_only) {
        return 0;
    }
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
    fbl::log::info("fblmilter {} started with {}", fbl::kVersion, config_path);
    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
    fbl::log::info("stopping on signal {}", signal_number);
    return 0;
}
