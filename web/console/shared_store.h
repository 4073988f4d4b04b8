#pragma once

#include <memory>
#include <mutex>

#include "config/config.h"
#include "store/store.h"

// The console's store: opened when first needed, shared by every request
// (each store call is thread-safe), and opened again after it failed, so a
// database that comes back needs no restart of fblweb.
namespace fbl::web::console {

class SharedStore {
  public:
    explicit SharedStore(config::StoreSettings settings);
    // The open store; throws store::StoreUnavailable when it cannot open.
    std::shared_ptr<store::Store> get();
    // A call failed with StoreUnavailable: the next get() opens a new
    // store (requests still holding the old one finish with it).
    void failed();

  private:
    config::StoreSettings settings_;
    std::mutex mutex_;
    std::shared_ptr<store::Store> store_;
};

}  // namespace fbl::web::console
