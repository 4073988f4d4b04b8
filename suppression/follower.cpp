#include "suppression/follower.h"

#include <algorithm>
#include <vector>

#include "common/log.h"
#include "common/metrics.h"

namespace fbl::suppression {
namespace {

constexpr std::size_t kChangesPerPoll = 10000;
// The longest one wait on the store lasts: stop() returns within about this.
constexpr std::chrono::milliseconds kWaitSlice{100};
// Pause after a failed read; the connection keeps its own back-off, so a
// retry while the database is still down costs nothing.
constexpr std::chrono::milliseconds kRetryPause{500};

}  // namespace

ChangeFollower::ChangeFollower(ChangeFeed& store, SuppressionIndex& index,
                               std::chrono::milliseconds interval)
    : store_(store), index_(index), interval_(interval) {}

ChangeFollower::~ChangeFollower() {
    stop();
}

void ChangeFollower::build() {
    // Read the sequence first: a change committed while the keys are read
    // is then replayed by the next poll, and replaying is harmless.
    std::int64_t sequence = store_.last_sequence();
    SuppressionIndex::Content content;
    store_.for_each_key(
        [&](const std::string& key, Scope scope, const std::optional<TimePoint>& expires) {
            content.add(key, IndexEntry{scope, expires});
        });
    index_.assign(content);
    applied_.store(sequence, std::memory_order_release);
    log::info("suppression index built: {} entries, {} bytes", index_.size(),
              index_.memory_bytes());
}

std::size_t ChangeFollower::poll_once() {
    std::size_t applied = 0;
    for (;;) {
        auto changes =
            store_.changes_since(applied_.load(std::memory_order_acquire), kChangesPerPoll);
        if (!changes.empty()) {
            check_key_settings();
        }
        for (const auto& change : changes) {
            if (change.suppressed) {
                // The row holds the entry as it is after the change (a
                // widening merge included), so it replaces what we had.
                index_.insert(change.key, IndexEntry{change.scope, change.expires_at});
            } else {
                index_.erase(change.key);
            }
            applied_.store(change.sequence, std::memory_order_release);
        }
        applied += changes.size();
        if (changes.size() < kChangesPerPoll) {
            return applied;
        }
    }
}

void ChangeFollower::watch_key_settings(KeySettingsSource& record, std::string known,
                                        KeySettingsChanged changed) {
    key_record_ = &record;
    known_key_settings_ = std::move(known);
    key_settings_changed_ = std::move(changed);
}

void ChangeFollower::check_key_settings() {
    if (!key_settings_changed_) {
        return;
    }
    auto recorded = key_record_->key_settings();
    if (recorded && *recorded != known_key_settings_) {
        known_key_settings_ = *recorded;
        key_settings_changed_(*recorded);
    }
}

std::size_t ChangeFollower::catch_up() {
    std::lock_guard lock(poll_mutex_);
    return poll_once();
}

void ChangeFollower::start() {
    std::lock_guard lock(mutex_);
    if (thread_.joinable()) {
        return;
    }
    stopping_ = false;
    thread_ = std::thread([this] { run(); });
}

void ChangeFollower::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) {
        thread_.join();
    }
}

void ChangeFollower::run() {
    bool failing = false;
    while (!stopping_) {
        try {
            // Read first, then wait: at start and after an outage the feed
            // is caught up before any notification is relied upon.
            catch_up();
            if (failing) {
                log::notice("suppression change feed readable again");
                failing = false;
            }
            wait_for_change();
        } catch (const std::exception& error) {
            metrics::global().store_error("follow");
            if (!failing) {  // one line per outage, not one per attempt
                log::warning("cannot read the suppression change feed: {}", error.what());
                failing = true;
            }
            pause(std::min(interval_, kRetryPause));
        }
    }
}

void ChangeFollower::wait_for_change() {
    auto deadline = std::chrono::steady_clock::now() + interval_;
    while (!stopping_) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left <= std::chrono::milliseconds(0)) {
            return;  // the periodic read: the safety net for a lost notification
        }
        if (store_.wait_for_change(std::min(left, kWaitSlice))) {
            return;
        }
    }
}

void ChangeFollower::pause(std::chrono::milliseconds duration) {
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, duration, [this] { return stopping_.load(); });
}

}  // namespace fbl::suppression
