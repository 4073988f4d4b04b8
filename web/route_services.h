#pragma once

#include <functional>
#include <memory>

#include "config/config.h"
#include "web/event_committer.h"
#include "web/hooks/sns_certificates.h"
#include "web/rate_limit.h"
#include "web/store_health.h"

namespace fbl::web {

// What the handlers use; owned by the daemon, outliving the router.
struct RouteServices {
    StoreHealth& store_health;
    EventCommitter& committer;
    RateLimiter& rate_limiter;
    // Where SNS signing certificates come from (webhooks.ses.certificate_dir).
    hooks::SnsCertificates& sns_certificates;
    // The config in force; a reload swaps it between requests.
    std::function<std::shared_ptr<const config::Config>()> config;
};

}  // namespace fbl::web
