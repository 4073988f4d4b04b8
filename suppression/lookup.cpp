#include "suppression/lookup.h"

namespace fbl::suppression {

SuppressionLookup::SuppressionLookup(ChangeFeed& store, std::chrono::milliseconds follow_interval)
    : follower_(store, index_, follow_interval) {}

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

std::optional<IndexEntry> SuppressionLookup::lookup(std::string_view key) const noexcept {
    return index_.find(key, std::chrono::system_clock::now());
}

}  // namespace fbl::suppression
