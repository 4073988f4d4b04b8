#pragma once

#include "web/console/console_services.h"
#include "web/console/page.h"

namespace fbl::web::console {

// GET /console/: today's numbers, the worst mailing of the last 7 days and
// the CRM outbox, each linking to its page.
Response overview_page(ConsoleRequest& request, ConsoleServices& services);

}  // namespace fbl::web::console
