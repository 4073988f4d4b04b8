#pragma once

#include "web/console/console_services.h"
#include "web/console/page.h"

namespace fbl::web::console {

// POST /console/complaints/export: the selected complaints (checked rows,
// or every row matching the page's filters), as CSV, XLSX or JSON,
// streamed from the store to the browser row by row.
Response export_complaints(ConsoleRequest& request, ConsoleServices& services);

}  // namespace fbl::web::console
