#pragma once

#include <string_view>

#include "web/hooks/hook_reading.h"
#include "web/http.h"
#include "web/route_services.h"

// What every webhook endpoint does once its provider's verifier has read the
// request: commit the events (group commit), refuse replays, and answer in
// the codes that provider documents, so it retries exactly when a retry can
// succeed.
namespace fbl::web {

// The status for each refusal, per provider (Mailgun: 406 means "do not
// retry"; SES, SendGrid and Postmark retry on any non-2xx).
struct HookRefusals {
    Status bad_signature = Status::unauthorized;
    Status stale = Status::bad_request;
    Status malformed = Status::bad_request;
    Status replayed = Status::bad_request;
};

// `endpoint` names the metric's endpoint label ("mailgun", ...).
Response answer_hook(std::string_view endpoint, const Request& request,
                     const hooks::HookReading& reading, const HookRefusals& refusals,
                     RouteServices& services);

// The answer when the endpoint has no secret configured: 404, as if it did
// not exist, so a scan learns nothing.
Response hook_not_configured(std::string_view endpoint);

}  // namespace fbl::web
