#pragma once

#include <CLI/CLI.hpp>

#include "cli/commands.h"

namespace fbl::cli {

// `fblctl complaints reevaluate [ID|--all]`, under `complaints`.
CLI::App* add_reevaluate_command(CLI::App& complaints, Context& context, Action& action);

}  // namespace fbl::cli
