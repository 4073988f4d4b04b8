#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace fbl::suppression {

// The in-memory set of suppressed keys that the milter asks at RCPT time.
//
// It holds 64-bit fingerprints of the normalised keys in one open-addressing
// table (linear probing, 8 bytes a slot, filled to at most 85 %), so a
// lookup is a hash and usually one cache line, and memory stays near
// 10-12 bytes per entry. A fingerprint answers "maybe": a hit must be
// confirmed against the store (SuppressionLookup does), which also drops
// entries that expired since they were added. A miss is exact.
//
// Concurrency: any number of threads may call might_contain() at any time;
// it takes no lock and never waits. Changes (insert, erase, assign) come
// from ONE writer thread at a time (the change follower). Slots are read
// and written atomically; when the table grows, a new table is published
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

    // True when `key` may be suppressed; false when it is certainly not.
    bool might_contain(std::string_view key) const noexcept;
    bool might_contain_fingerprint(std::uint64_t fingerprint) const noexcept;

    // Writer side: one thread at a time.
    void insert(std::string_view key);
    void erase(std::string_view key);
    void insert_fingerprint(std::uint64_t fingerprint);
    void erase_fingerprint(std::uint64_t fingerprint);
    // Replaces the whole content, sized for exactly these fingerprints.
    void assign(const std::vector<std::uint64_t>& fingerprints);

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
