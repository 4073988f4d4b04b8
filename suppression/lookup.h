#pragma once

#include <memory>
#include <optional>
#include <string_view>

#include "suppression/change_feed.h"
#include "suppression/follower.h"
#include "suppression/index.h"

namespace fbl::suppression {

// What the milter asks at RCPT time: "is this (normalised) key suppressed,
// and how?" The index answers alone (see index.h for why a fingerprint hit
// is not confirmed against the store): an RCPT lookup never touches the
// store, so it neither waits for nor fails with the database.
//
//   SuppressionLookup lookup(store, config.store.follow_interval);
//   lookup.start();                       // build the index, follow changes
//   if (auto entry = lookup.lookup(key)) { ... entry->scope ... }
//
// lookup() is safe from any number of threads and never throws.
class SuppressionLookup {
  public:
    SuppressionLookup(ChangeFeed& store, std::chrono::milliseconds follow_interval);
    ~SuppressionLookup();

    // Builds the index from the store and starts following the change feed.
    void start();
    void stop();

    std::optional<IndexEntry> lookup(std::string_view key) const noexcept;

    const SuppressionIndex& index() const noexcept { return index_; }
    ChangeFollower& follower() noexcept { return follower_; }

  private:
    SuppressionIndex index_;
    ChangeFollower follower_;
};

}  // namespace fbl::suppression
