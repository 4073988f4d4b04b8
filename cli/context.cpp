#include "cli/context.h"

#include "config/loader.h"

namespace fbl::cli {

const config::Config& Context::config() {
    if (!config_) {
        config_ = std::make_unique<config::Config>(config::load_file(config_path));
    }
    return *config_;
}

suppression::Store& Context::store() {
    if (!store_) {
        store_ = suppression::open_store(config().store);
    }
    return *store_;
}

}  // namespace fbl::cli
