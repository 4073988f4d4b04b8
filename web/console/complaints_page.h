#pragma once

#include "web/console/console_services.h"
#include "web/console/page.h"

namespace fbl::web::console {

// GET /console/complaints: the seed's "Spam complaints" tab, one row per
// complaint, filtered, sorted and paged by keyset, rows selectable for
// export.
Response complaints_page(ConsoleRequest& request, ConsoleServices& services);

}  // namespace fbl::web::console
