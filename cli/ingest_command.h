#pragma once

#include "cli/commands.h"

namespace fbl::cli {

// `fblctl ingest [FILE|-]`: take in one report, for a Postfix pipe transport
// or .forward. Exit statuses follow sysexits so the MTA retries or bounces.
void add_ingest_command(CLI::App& app, Context& context, Action& action);

}  // namespace fbl::cli
