#include "web/console/shared_store.h"

namespace fbl::web::console {

SharedStore::SharedStore(config::StoreSettings settings) : settings_(std::move(settings)) {}

std::shared_ptr<store::Store> SharedStore::get() {
    std::lock_guard lock(mutex_);
    if (!store_) {
        // OpenMode::existing: the console reads what fblmilter made; it
        // never creates a store of its own in the wrong place.
        store_ = store::open_store(settings_, store::OpenMode::existing);
    }
    return store_;
}

void SharedStore::failed() {
    std::lock_guard lock(mutex_);
    store_.reset();
}

}  // namespace fbl::web::console
