#pragma once

#include <functional>

#include <CLI/CLI.hpp>

#include "cli/context.h"

namespace fbl::cli {

// A subcommand's action; returns the process exit status.
using Action = std::function<int()>;

// Each group adds its subcommands to the app and sets `action` when one of
// them is chosen on the command line.
void add_suppression_commands(CLI::App& app, Context& context, Action& action);
void add_report_commands(CLI::App& app, Context& context, Action& action);
void add_outbox_commands(CLI::App& app, Context& context, Action& action);
void add_migrate_command(CLI::App& app, Context& context, Action& action);
void add_stats_command(CLI::App& app, Context& context, Action& action);
void add_key_command(CLI::App& app, Context& context, Action& action);
void add_rekey_command(CLI::App& app, Context& context, Action& action);
void add_user_commands(CLI::App& app, Context& context, Action& action);

}  // namespace fbl::cli
