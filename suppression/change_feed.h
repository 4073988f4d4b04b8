#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

// What the in-memory index needs from the store, as ports this folder owns:
// the store (store/) implements them, so data flows down (DESIGN.md,
// "Layout") and suppression/ never includes store/.
namespace fbl::suppression {

using TimePoint = std::chrono::system_clock::time_point;

// Which mail a suppression stops: marketing only, or all mail.
enum class Scope { marketing, all };

const char* to_string(Scope scope);
std::optional<Scope> parse_scope(std::string_view text);

// One entry of the change feed, in commit order.
struct Change {
    std::int64_t sequence = 0;
    std::string key;
    bool suppressed = false;  // false = removed
    Scope scope = Scope::marketing;
    std::optional<TimePoint> expires_at;
};

// The sequence of suppression changes the index follows.
class ChangeFeed {
  public:
    virtual ~ChangeFeed() = default;
    virtual std::int64_t last_sequence() = 0;
    virtual std::vector<Change> changes_since(std::int64_t sequence, std::size_t limit) = 0;
    // Waits up to `timeout` for a hint that the feed may have grown; true
    // means "read it now". Only a hint: changes_since stays the truth, and a
    // false answer never proves nothing changed. A backend that cannot be
    // told of other processes' commits (SQLite) just sleeps. Keep `timeout`
    // short: the caller cannot be interrupted while it waits.
    virtual bool wait_for_change(std::chrono::milliseconds timeout) {
        std::this_thread::sleep_for(timeout);
        return false;
    }
    // Every current (unexpired) key, for building the index at start.
    virtual void for_each_key(
        const std::function<void(const std::string& key, Scope scope,
                                 const std::optional<TimePoint>& expires)>& visit) = 0;
};

// The normalisation settings the keys were made with
// (AddressNormalizer::settings_description); nullopt when none is recorded.
class KeySettingsSource {
  public:
    virtual ~KeySettingsSource() = default;
    virtual std::optional<std::string> key_settings() = 0;
};

}  // namespace fbl::suppression
