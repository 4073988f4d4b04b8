#include "suppression/lookup.h"

namespace fbl::suppression {

SuppressionLookup::SuppressionLookup(Store& store, std::chrono::milliseconds follow_interval)
    : store_(store), follower_(store, index_, follow_interval) {}

SuppressionLookup::~SuppressionLookup() {
    stop();
}

void SuppressionLookup::start() {
    follower_.build();
    follower_.start();
}

void SuppressionLookup::stop() {
    follower_.stop();
}

std::optional<Suppression> SuppressionLookup::lookup(const std::string& key) const {
    if (!index_.might_contain(key)) {
        return std::nullopt;
    }
    return store_.find(key);
}

}  // namespace fbl::suppression
