#pragma once

#include "web/console/console_services.h"
#include "web/console/page.h"

namespace fbl::web::console {

// GET /console/outbox[?state=dead]: jobs by adapter and state, and the jobs
// of one state with their last answer (stored without secrets).
Response outbox_page(ConsoleRequest& request, ConsoleServices& services);
// Admin. A dead letter queued again (as `fblctl outbox retry ID`).
Response retry_job(ConsoleRequest& request, ConsoleServices& services);

}  // namespace fbl::web::console
