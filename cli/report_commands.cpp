#include "cli/commands.h"

namespace fbl::cli {

void add_report_commands(CLI::App& /*app*/, Context& /*context*/, Action& /*action*/) {}

}  // namespace fbl::cli
