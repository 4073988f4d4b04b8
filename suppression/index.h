#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "suppression/change_feed.h"

namespace fbl::suppression {

// What the index knows of one suppressed key: all the RCPT decision needs.
// Expiry is kept to the second, rounded up (so an entry never ends before
// the store says), as seconds after 2020-01-01 in 31 bits; an expiry after
// 2088 is kept as "never" -- both err on the side of suppressing.
struct IndexEntry {
    Scope scope = Scope::marketing;
    std::optional<TimePoint> expires_at;  // nullopt: never expires

    bool expired_at(TimePoint now) const noexcept { return expires_at && *expires_at <= now; }
    friend bool operator==(const IndexEntry&, const IndexEntry&) = default;
};

// The in-memory set of suppressed keys that the milter asks at RCPT time,
// and the one place that answers it: a hit is decided here, never confirmed
// against the store, so a database outage changes no answer (issue 21).
//
// It holds 64-bit fingerprints of the normalised keys in one open-addressing
// table (buckets of one cache line, 8 bytes a slot, filled to at most 85 %)
// and beside it a 4-byte packed IndexEntry (scope, expiry) per slot, so a
// miss is a hash and usually one cache line, a hit one more, and memory
// stays near 16 bytes per entry. Two different keys share a fingerprint
// with probability about n / 2^64 per lookup: at 10M entries about 1 in
// 10^12, far below any other error of the loop (a report about the wrong
// person is likelier), so a fingerprint hit is taken as the key's.
// Expired entries are misses; they stay in the table until removed.
//
// Concurrency: any number of threads may call find() at any time; it takes
// no lock and never waits. Changes (insert, erase, assign) come from ONE
// writer thread at a time (the change follower). Slots are read and
// written atomically; an entry is written before its fingerprint, and a
// reader re-reads the fingerprint after the entry, so it never pairs a key
// with another key's entry. When the table grows, a new table is published
// with one atomic pointer store and the old one is kept alive (a reader
// may still be probing it) until the index is destroyed; it is at most as
// large as the current one.
class SuppressionIndex {
  public:
    SuppressionIndex();
    ~SuppressionIndex();
    SuppressionIndex(const SuppressionIndex&) = delete;
    SuppressionIndex& operator=(const SuppressionIndex&) = delete;

    static std::uint64_t fingerprint(std::string_view key) noexcept;

    // The entry of `key` when it is suppressed at `now`; nullopt when it is
    // not, or its suppression has expired.
    std::optional<IndexEntry> find(std::string_view key, TimePoint now) const noexcept;
    std::optional<IndexEntry> find_fingerprint(std::uint64_t fingerprint,
                                               TimePoint now) const noexcept;
    // True when the table holds `key`, expired or not.
    bool might_contain(std::string_view key) const noexcept;

    // Writer side: one thread at a time. Inserting a key already held
    // replaces its entry.
    void insert(std::string_view key, const IndexEntry& entry = {});
    void erase(std::string_view key);
    void insert_fingerprint(std::uint64_t fingerprint, const IndexEntry& entry);
    void erase_fingerprint(std::uint64_t fingerprint);

    // A whole content for assign(): 12 bytes per key while the index is
    // built from a store of millions.
    class Content {
      public:
        void add(std::string_view key, const IndexEntry& entry);
        void add_fingerprint(std::uint64_t fingerprint, const IndexEntry& entry);
        void reserve(std::size_t entries);
        std::size_t size() const noexcept { return fingerprints_.size(); }

      private:
        friend class SuppressionIndex;
        std::vector<std::uint64_t> fingerprints_;
        std::vector<std::uint32_t> entries_;  // packed, parallel to fingerprints_
    };
    // Replaces the whole content, sized for exactly these entries.
    void assign(const Content& content);

    std::size_t size() const noexcept;
    // Heap bytes held, including tables retired by growth. Writer thread only.
    std::size_t memory_bytes() const noexcept;

  private:
    struct Table;
    void publish(std::unique_ptr<Table> table);
    void grow_if_needed();

    std::atomic<Table*> current_;
    std::vector<std::unique_ptr<Table>> tables_;  // current_ is tables_.back()
    std::atomic<std::size_t> size_{0};
};

}  // namespace fbl::suppression
