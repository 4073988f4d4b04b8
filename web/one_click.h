#pragma once

#include "web/http.h"
#include "web/route_services.h"

// RFC 8058 one-click unsubscribe at /u/{token}. The token (our signature
// over the person and the mailing) is the whole proof: no cookie, no login,
// no redirect. A POST unsubscribes, whatever its body (providers send
// "List-Unsubscribe=One-Click" form-encoded or as multipart; our own page's
// button sends the same); a GET only shows a page, because mail scanners
// follow links.
namespace fbl::web {

Response one_click_page(const Request& request, RouteServices& services);
Response one_click_unsubscribe(const Request& request, RouteServices& services);

}  // namespace fbl::web
