#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "suppression/index.h"
#include "suppression/store.h"

namespace fbl::suppression {

// Keeps a SuppressionIndex current: builds it from the store, then polls
// the store's change feed (changes_since) every `interval` on its own
// thread, so a change made by any process (fblctl, another node) reaches
// the index within one interval plus one poll. It is the index's only
// writer. A store that cannot be read is retried at the next interval;
// the index keeps answering from what it has.
class ChangeFollower {
  public:
    ChangeFollower(Store& store, SuppressionIndex& index, std::chrono::milliseconds interval);
    ~ChangeFollower();
    ChangeFollower(const ChangeFollower&) = delete;
    ChangeFollower& operator=(const ChangeFollower&) = delete;

    // Fills the index from the store (every unexpired key). Call before
    // start(); throws StoreUnavailable/StoreCorrupt when the store fails.
    void build();
    // Applies every change after the last one applied; returns how many.
    // Called by the thread; callable directly when no thread runs.
    std::size_t poll_once();
    // poll_once() made safe beside the thread: the milter calls it right
    // after committing a complaint, so the next RCPT already sees it.
    std::size_t catch_up();

    void start();
    void stop();

    // The sequence number of the last change reflected in the index.
    std::int64_t applied_sequence() const noexcept {
        return applied_.load(std::memory_order_acquire);
    }

  private:
    void run();

    Store& store_;
    SuppressionIndex& index_;
    std::chrono::milliseconds interval_;
    std::atomic<std::int64_t> applied_{0};
    std::mutex mutex_;
    std::mutex poll_mutex_;  // one writer of the index at a time
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace fbl::suppression
