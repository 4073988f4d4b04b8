#include "web/routes.h"

#include "web/healthz.h"
#include "web/one_click.h"
#include "web/webhook_endpoints.h"

namespace fbl::web {

// One line per endpoint; the handler lives in its own file.
Router make_router(RouteServices& services) {
    Router router;
    router.add(Method::get, PathMatch::exact, "/healthz", [&services](const Request&) {
        return healthz([&services] { return services.store_health.healthy(); });
    });
    router.add(Method::get, PathMatch::prefix, "/u/",
               [&services](const Request& request) { return one_click_page(request, services); });
    router.add(Method::post, PathMatch::prefix, "/u/", [&services](const Request& request) {
        return one_click_unsubscribe(request, services);
    });
    router.add(Method::post, PathMatch::exact, "/hooks/mailgun",
               [&services](const Request& request) { return mailgun_webhook(request, services); });
    router.add(Method::post, PathMatch::exact, "/hooks/ses",
               [&services](const Request& request) { return ses_webhook(request, services); });
    router.add(Method::post, PathMatch::exact, "/hooks/sendgrid",
               [&services](const Request& request) { return sendgrid_webhook(request, services); });
    router.add(Method::post, PathMatch::exact, "/hooks/postmark",
               [&services](const Request& request) { return postmark_webhook(request, services); });
    return router;
}

}  // namespace fbl::web
