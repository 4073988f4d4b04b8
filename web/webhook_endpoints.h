#pragma once

#include "web/http.h"
#include "web/route_services.h"

// POST /hooks/{provider}: the provider's verifier (web/hooks/), then
// answer_hook. An endpoint whose secret is not configured answers 404.
namespace fbl::web {

Response mailgun_webhook(const Request& request, RouteServices& services);
Response ses_webhook(const Request& request, RouteServices& services);
Response sendgrid_webhook(const Request& request, RouteServices& services);
Response postmark_webhook(const Request& request, RouteServices& services);

}  // namespace fbl::web
