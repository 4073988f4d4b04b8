#pragma once

#include <memory>
#include <mutex>

#include "config/config.h"
#include "store/store.h"

namespace fbl::web {

// Whether the store opens and answers a query, for /healthz. Keeps one open
// store (opening per probe would cost a migration check each time) and
// opens it again after a failure, so a database that comes back turns the
// answer back to healthy without a restart of fblweb.
class StoreHealth {
  public:
    explicit StoreHealth(config::StoreSettings settings);
    bool healthy();

  private:
    std::mutex mutex_;  // one store connection, many worker threads
    config::StoreSettings settings_;
    std::unique_ptr<store::Store> store_;
};

}  // namespace fbl::web
