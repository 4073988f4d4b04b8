#pragma once

#include <functional>
#include <memory>

#include "config/config.h"
#include "web/console/console_user.h"
#include "web/console/sessions.h"
#include "web/console/shared_store.h"
#include "web/rate_limit.h"

namespace fbl::web::console {

// What the console's handlers use; owned by the daemon, outliving the router.
struct ConsoleServices {
    SessionTable& sessions;
    UserDirectory& users;
    RateLimiter& login_limiter;  // failed logins per client address
    SharedStore& store;
    std::function<std::shared_ptr<const config::Config>()> config;
};

}  // namespace fbl::web::console
