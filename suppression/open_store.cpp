#include "suppression/store.h"

namespace fbl::suppression {

std::unique_ptr<Store> open_store(const config::StoreSettings& /*settings*/) {
    throw StoreUnavailable("no store backend is built yet");
}

}  // namespace fbl::suppression
