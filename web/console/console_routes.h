#pragma once

#include "web/console/console_services.h"
#include "web/router.h"

namespace fbl::web::console {

// Every /console/ route: one line each, the handler in its own file.
void add_console_routes(Router& router, ConsoleServices& services);

}  // namespace fbl::web::console
