#include "cli/context.h"

#include "common/log.h"
#include "config/loader.h"
#include "store/rekey.h"

namespace fbl::cli {

const config::Config& Context::config() {
    if (!config_) {
        config_ = std::make_unique<config::Config>(config::load_file(config_path));
        // fblctl's lines go to its caller (a terminal, the MTA's pipe), but
        // addresses in them are hashed whenever the daemon's would be.
        const auto& logging = config_->logging;
        log::configure(log::Destination::stderr_stream, logging.level, logging.pii);
    }
    return *config_;
}

store::Store& Context::store() {
    return checked(open(store::OpenMode::existing), false);
}

store::Store& Context::writable_store() {
    return checked(open(store::OpenMode::create), true);
}

store::Store& Context::store_as_is() {
    return open(store::OpenMode::create);
}

store::Store& Context::checked(store::Store& store, bool writing) {
    if (!keys_checked_) {
        suppression::AddressNormalizer normalizer(config().suppression);
        store::KeyAlignment alignment = store::require_current_keys(store, normalizer);
        if (writing && !alignment.recorded) {
            // A store fblctl fills before the daemon's first start says how
            // its keys were made, so a later change is seen.
            store::realign_keys(store, normalizer);
        }
        keys_checked_ = true;
    }
    return store;
}

store::Store& Context::open(store::OpenMode mode) {
    if (!store_) {
        store_ = store::open_store(config().store, mode);
    }
    return *store_;
}

}  // namespace fbl::cli
