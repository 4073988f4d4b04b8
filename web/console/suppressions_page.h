#pragma once

#include "web/console/console_services.h"
#include "web/console/page.h"

// The suppression list: search, one address with its history, and the
// admin's changes, each recorded with the console user's name.
namespace fbl::web::console {

Response suppressions_page(ConsoleRequest& request, ConsoleServices& services);
Response suppression_entry_page(ConsoleRequest& request, ConsoleServices& services);
// Admin. Address, reason, scope, expiry, note.
Response add_suppression(ConsoleRequest& request, ConsoleServices& services);
// Admin. A note is required, and for a complainer the confirmation of new
// consent (Postmark refuses to reactivate complainers at all; we let an
// operator, on the record).
Response remove_suppression(ConsoleRequest& request, ConsoleServices& services);

// GET /console/suppressions/export?q=: the matching suppressions as CSV,
// streamed page by page from the store.
Response export_suppressions(ConsoleRequest& request, ConsoleServices& services);

}  // namespace fbl::web::console
