#include "cli/context.h"

#include "common/log.h"
#include "config/loader.h"
#include "suppression/rekey.h"

namespace fbl::cli {

const config::Config& Context::config() {
    if (!config_) {
        config_ = std::make_unique<config::Config>(config::load_file(config_path));
        // fblctl's lines go to its caller (a terminal, the MTA's pipe), but
        // addresses in them are hashed whenever the daemon's would be.
        const auto& logging = config_->logging;
        log::configure(log::Destination::stderr_stream, log::level_named(logging.level),
                       log::pii_named(logging.pii));
    }
    return *config_;
}

suppression::Store& Context::store() {
    return checked(open(suppression::OpenMode::existing), false);
}

suppression::Store& Context::writable_store() {
    return checked(open(suppression::OpenMode::create), true);
}

suppression::Store& Context::store_as_is() {
    return open(suppression::OpenMode::create);
}

suppression::Store& Context::checked(suppression::Store& store, bool writing) {
    if (!keys_checked_) {
        suppression::AddressNormalizer normalizer(config().suppression);
        suppression::require_current_keys(store, normalizer);
        if (writing && !store.key_settings()) {
            // A store fblctl fills before the daemon's first start says how
            // its keys were made, so a later change is seen.
            suppression::realign_keys(store, normalizer);
        }
        keys_checked_ = true;
    }
    return store;
}

suppression::Store& Context::open(suppression::OpenMode mode) {
    if (!store_) {
        store_ = suppression::open_store(config().store, mode);
    }
    return *store_;
}

}  // namespace fbl::cli
