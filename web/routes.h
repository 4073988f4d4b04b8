#pragma once

#include "web/router.h"
#include "web/store_health.h"

namespace fbl::web {

// What the handlers use; owned by the daemon, outliving the router.
struct RouteServices {
    StoreHealth& store_health;
};

// Every endpoint of fblweb, registered in one place (routes.cpp).
Router make_router(RouteServices& services);

}  // namespace fbl::web
