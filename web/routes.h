#pragma once

#include "web/route_services.h"
#include "web/router.h"

namespace fbl::web {

// Every endpoint of fblweb, registered in one place (routes.cpp).
Router make_router(RouteServices& services);

}  // namespace fbl::web
