#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "suppression/change_feed.h"
#include "suppression/index.h"

namespace fbl::suppression {

// Keeps a SuppressionIndex current: builds it from the store, then follows
// the store's change feed (changes_since) on its own thread, so a change
// made by any process (fblctl, another node) reaches the index. Between
// reads the thread waits on Store::wait_for_change: PostgreSQL wakes it as
// soon as another session commits (LISTEN/NOTIFY), SQLite just sleeps. The
// feed is re-read at least every `interval` anyway, so a lost notification
// costs one interval, never a change. It is the index's only writer. A store
// that cannot be read is retried shortly (logged once per outage, counted in
// fblmilter_store_errors_total{operation="follow"}); the index keeps
// answering from what it has, and the next successful read catches up.
class ChangeFollower {
  public:
    ChangeFollower(ChangeFeed& store, SuppressionIndex& index, std::chrono::milliseconds interval);
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

    // Another node or `fblctl rekey` re-keyed the store: its changes move
    // every key, and this process must look keys up the new way before it
    // applies them. When a batch of changes arrives and the store's recorded
    // normalisation (Store::key_settings) differs from `known`, `changed`
    // is called with it, on the follower's thread, before the batch is
    // applied. Call before start().
    using KeySettingsChanged = std::function<void(const std::string& recorded)>;
    void watch_key_settings(KeySettingsSource& record, std::string known,
                            KeySettingsChanged changed);

    // The sequence number of the last change reflected in the index.
    std::int64_t applied_sequence() const noexcept {
        return applied_.load(std::memory_order_acquire);
    }

  private:
    void run();
    // Returns on a hint from the store, after `interval_`, or on stop().
    void wait_for_change();
    void pause(std::chrono::milliseconds duration);
    void check_key_settings();

    ChangeFeed& store_;
    KeySettingsSource* key_record_ = nullptr;
    SuppressionIndex& index_;
    std::chrono::milliseconds interval_;
    std::atomic<std::int64_t> applied_{0};
    std::mutex mutex_;
    std::mutex poll_mutex_;  // one writer of the index at a time
    std::condition_variable wake_;
    std::atomic<bool> stopping_{false};
    std::thread thread_;
    std::string known_key_settings_;
    KeySettingsChanged key_settings_changed_;
};

}  // namespace fbl::suppression
