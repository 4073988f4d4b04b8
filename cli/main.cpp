#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "config/diagnostics.h"
#include "config/loader.h"
#include "fbl/version.h"
#include "store/rekey.h"
#include "store/store.h"

namespace {

constexpr const char* kExitCodes = R"(Exit status:
  0   done; check: no address is suppressed; parse: every input is a report
  1   check: an address is suppressed; parse: an input is not a report
  2   usage error, unreadable input
  65  bad input data (malformed address, CSV line, date)
  73  cannot write the output or the store
  75  store unavailable: try again later
  78  configuration error)";

}  // namespace

int main(int argc, char** argv) {
    fbl::cli::Context context;
    CLI::App app{"fblctl - administer fblmilter's suppression list, complaints and CRM outbox",
                 "fblctl"};
    app.footer(kExitCodes);
    app.set_version_flag("--version", std::string("fblctl ") + fbl::kVersion);
    app.add_option("-c,--config", context.config_path, "configuration file")
        ->default_val(fbl::config::default_path());
    app.require_subcommand(1);

    fbl::cli::Action action;
    fbl::cli::add_suppression_commands(app, context, action);
    fbl::cli::add_report_commands(app, context, action);
    fbl::cli::add_outbox_commands(app, context, action);
    fbl::cli::add_migrate_command(app, context, action);
    fbl::cli::add_stats_command(app, context, action);
    fbl::cli::add_key_command(app, context, action);
    fbl::cli::add_rekey_command(app, context, action);
    fbl::cli::add_user_commands(app, context, action);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& error) {
        int status = app.exit(error);
        return status == 0 ? 0 : fbl::cli::kExitUsage;
    }
    try {
        return action ? action() : fbl::cli::kExitUsage;
    } catch (const fbl::config::ConfigInvalid& error) {
        std::cerr << error.what() << '\n';
        return fbl::cli::kExitConfig;
    } catch (const fbl::store::KeysNotCurrent& error) {
        std::cerr << "fblctl: " << error.what() << '\n';
        return fbl::cli::kExitConfig;
    } catch (const fbl::store::StoreUnavailable& error) {
        std::cerr << "fblctl: store unavailable: " << error.what() << '\n';
        return fbl::cli::kExitTempFail;
    } catch (const fbl::store::StoreCorrupt& error) {
        std::cerr << "fblctl: " << error.what() << '\n';
        return fbl::cli::kExitCantCreate;
    } catch (const std::exception& error) {
        std::cerr << "fblctl: " << error.what() << '\n';
        return fbl::cli::kExitSoftware;
    }
}
