#include "cli/context.h"

#include "common/log.h"
#include "config/loader.h"

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
    return open(suppression::OpenMode::existing);
}

suppression::Store& Context::writable_store() {
    return open(suppression::OpenMode::create);
}

suppression::Store& Context::open(suppression::OpenMode mode) {
    if (!store_) {
        store_ = suppression::open_store(config().store, mode);
    }
    return *store_;
}

}  // namespace fbl::cli
