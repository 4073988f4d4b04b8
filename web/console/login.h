#pragma once

#include "web/console/console_services.h"
#include "web/http.h"

// Logging in and out, and the language switch: the console pages that
// need no session.
namespace fbl::web::console {

Response login_page(const Request& request, ConsoleServices& services);
// Rate-limited per client; a login form carries its own CSRF token (a
// cookie and a field that must match), so another site cannot log a
// browser in under the attacker's account.
Response log_in(const Request& request, ConsoleServices& services);
Response log_out(const Request& request, ConsoleServices& services);
// GET /console/language?to=nb&back=/console/...: remembers the choice.
Response switch_language(const Request& request);

}  // namespace fbl::web::console
