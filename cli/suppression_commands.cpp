#include "cli/commands.h"

namespace fbl::cli {

void add_suppression_commands(CLI::App& /*app*/, Context& /*context*/, Action& /*action*/) {}

}  // namespace fbl::cli
