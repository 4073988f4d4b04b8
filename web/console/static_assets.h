#pragma once

#include "web/http.h"

namespace fbl::web::console {

// GET /console/assets/console.css and console.js: the stylesheet and the
// script, never the templates.
Response static_asset(const Request& request);

}  // namespace fbl::web::console
