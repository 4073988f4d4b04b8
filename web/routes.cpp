#include "web/routes.h"

#include "web/healthz.h"

namespace fbl::web {

// One line per endpoint; the handler lives in its own file.
Router make_router(RouteServices& services) {
    Router router;
    router.add(Method::get, PathMatch::exact, "/healthz", [&services](const Request&) {
        return healthz([&services] { return services.store_health.healthy(); });
    });
    return router;
}

}  // namespace fbl::web
