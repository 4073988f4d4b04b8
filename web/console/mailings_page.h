#pragma once

#include "web/console/console_services.h"
#include "web/console/page.h"

namespace fbl::web::console {

// GET /console/mailings: which mailing people react to. Per mailing sends,
// complaints, unsubscribes, the rate against stats.*_rate, top providers
// and complainers the CRM did not know; a bar chart of mailings by rate
// and a line of the complaint rate per day (all mail, or ?mailing=).
Response mailings_page(ConsoleRequest& request, ConsoleServices& services);

}  // namespace fbl::web::console
