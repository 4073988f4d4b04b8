#pragma once

#include "web/console/console_services.h"
#include "web/console/page.h"

namespace fbl::web::console {

// GET /console/untrusted: the reports that changed nothing, and why.
Response untrusted_page(ConsoleRequest& request, ConsoleServices& services);
// Admin. The report's raw copy through intake's re-evaluation (as `fblctl
// complaints reevaluate`): trusted only by a proof that holds today.
Response reevaluate_report(ConsoleRequest& request, ConsoleServices& services);

}  // namespace fbl::web::console
