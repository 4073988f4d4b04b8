#include "web/store_health.h"

#include "common/log.h"

namespace fbl::web {

StoreHealth::StoreHealth(config::StoreSettings settings) : settings_(std::move(settings)) {}

bool StoreHealth::healthy() {
    std::lock_guard lock(mutex_);
    try {
        if (!store_) {
            store_ = store::open_store(settings_);
        }
        store_->last_sequence();
        return true;
    } catch (const std::exception& error) {
        log::warning("healthz: the store does not answer: {}", error.what());
        store_.reset();
        return false;
    }
}

}  // namespace fbl::web
