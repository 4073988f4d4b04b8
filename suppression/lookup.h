#pragma once

#include <memory>
#include <optional>
#include <string>

#include "suppression/follower.h"
#include "suppression/index.h"
#include "suppression/store.h"

namespace fbl::suppression {

// What the milter asks at RCPT time: "is this (normalised) key suppressed,
// and how?" A miss in the index answers nullopt without touching the store;
// a hit is confirmed with Store::find, which is exact and ignores expired
// entries, so answers are exact while the index stays small.
//
//   SuppressionLookup lookup(store, config.store.follow_interval);
//   lookup.start();                       // build the index, follow changes
//   if (auto entry = lookup.lookup(key)) { ... entry->scope ... }
//
// lookup() is safe from any number of threads. It throws StoreUnavailable
// only when a hit cannot be confirmed (map it to on_error.store_unavailable).
class SuppressionLookup {
  public:
    SuppressionLookup(Store& store, std::chrono::milliseconds follow_interval);
    ~SuppressionLookup();

    // Builds the index from the store and starts following the change feed.
    void start();
    void stop();

    std::optional<Suppression> lookup(const std::string& key) const;

    const SuppressionIndex& index() const noexcept { return index_; }
    ChangeFollower& follower() noexcept { return follower_; }

  private:
    Store& store_;
    SuppressionIndex index_;
    ChangeFollower follower_;
};

}  // namespace fbl::suppression
