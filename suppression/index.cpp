#include "suppression/index.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <new>

#include <sys/mman.h>

namespace fbl::suppression {
namespace {

constexpr std::uint64_t kEmpty = 0;
constexpr std::uint64_t kTombstone = 1;
constexpr double kBuildLoad = 0.8;   // fill right after a build: 15 bytes an entry
constexpr double kMaxLoad = 0.85;    // live + tombstones beyond this: rebuild
constexpr double kGrowthLoad = 0.6;  // fill after growing for inserts: room for many more
constexpr std::size_t kMinimumCapacity = 1024;

// Packed IndexEntry: bit 0 the scope, bits 1-31 the expiry in seconds after
// kExpiryBase (0 = never).
constexpr std::uint32_t kScopeAll = 1;
constexpr std::chrono::seconds kExpiryBase{1577836800};  // 2020-01-01T00:00:00Z
constexpr std::int64_t kLatestExpiry = (std::int64_t{1} << 31) - 1;

std::uint32_t pack(const IndexEntry& entry) noexcept {
    std::uint32_t scope = entry.scope == Scope::all ? kScopeAll : 0;
    if (!entry.expires_at) {
        return scope;
    }
    // Rounded up, and at least 1: an expiry before the base is long past.
    auto seconds = std::chrono::ceil<std::chrono::seconds>(entry.expires_at->time_since_epoch());
    std::int64_t after_base = std::max<std::int64_t>((seconds - kExpiryBase).count(), 1);
    if (after_base > kLatestExpiry) {
        return scope;  // beyond what 31 bits hold: suppressed for good
    }
    return static_cast<std::uint32_t>(after_base) << 1 | scope;
}

IndexEntry unpack(std::uint32_t packed) noexcept {
    IndexEntry entry;
    entry.scope = (packed & kScopeAll) != 0 ? Scope::all : Scope::marketing;
    if (std::uint32_t after_base = packed >> 1; after_base != 0) {
        entry.expires_at = TimePoint(kExpiryBase + std::chrono::seconds(after_base));
    }
    return entry;
}

constexpr std::size_t kSlotBytes = sizeof(std::uint64_t) + sizeof(std::uint32_t);

// Slots come straight from mmap: zeroed by the kernel, faulted in lazily,
// and (with transparent huge pages in "madvise" mode) backed by 2 MiB pages,
// so a random probe into a 100 MB table rarely misses the TLB as well.
std::uint64_t* map_slots(std::size_t bytes) {
    void* memory = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) {
        throw std::bad_alloc();
    }
    madvise(memory, bytes, MADV_HUGEPAGE);  // advisory: ignored where unsupported
    return static_cast<std::uint64_t*>(memory);
}

struct SlotsDeleter {
    std::size_t bytes = 0;
    void operator()(std::uint64_t* slots) const noexcept { munmap(slots, bytes); }
};

// Finaliser of splitmix64: spreads every input bit over the whole word, so
// the top bits (the slot) and the whole word (the fingerprint) are both good.
std::uint64_t mix(std::uint64_t value) noexcept {
    value ^= value >> 30;
    value *= 0xbf58476d1ce4e5b9ULL;
    value ^= value >> 27;
    value *= 0x94d049bb133111ebULL;
    value ^= value >> 31;
    return value;
}

std::size_t capacity_for(std::size_t entries, double load) {
    return std::max(kMinimumCapacity,
                    static_cast<std::size_t>(static_cast<double>(entries) / load) + 1);
}

}  // namespace

// Slots are grouped in buckets of one cache line. A fingerprint lives in
// its home bucket or, when that is full, the next ones; a lookup stops at
// the first bucket that still has an empty slot. Empty slots never come
// back (erasing leaves a tombstone), so that stop is always safe, and a
// miss almost always costs exactly one cache line. The packed entries sit
// after the fingerprints in the same mapping, one per slot.
struct SuppressionIndex::Table {
    static constexpr std::size_t kBucketSlots = 64 / sizeof(std::uint64_t);
    static constexpr std::size_t kNone = ~std::size_t{0};

    explicit Table(std::size_t slot_count)
        : buckets((slot_count + kBucketSlots - 1) / kBucketSlots),
          capacity(buckets * kBucketSlots),
          slots(map_slots(capacity * kSlotBytes), SlotsDeleter{capacity * kSlotBytes}),
          entries(reinterpret_cast<std::uint32_t*>(slots.get() + capacity)) {}

    // Maps a fingerprint onto a bucket without a division.
    std::size_t home(std::uint64_t fingerprint) const noexcept {
        return static_cast<std::size_t>((static_cast<unsigned __int128>(fingerprint) * buckets) >>
                                        64);
    }
    std::size_t next(std::size_t bucket) const noexcept {
        return bucket + 1 == buckets ? 0 : bucket + 1;
    }
    std::uint64_t load(std::size_t slot) const noexcept {
        return std::atomic_ref<std::uint64_t>(slots.get()[slot]).load(std::memory_order_acquire);
    }
    void store(std::size_t slot, std::uint64_t value) noexcept {
        std::atomic_ref<std::uint64_t>(slots.get()[slot]).store(value, std::memory_order_release);
    }
    std::uint32_t load_entry(std::size_t slot) const noexcept {
        return std::atomic_ref<std::uint32_t>(entries[slot]).load(std::memory_order_acquire);
    }
    void store_entry(std::size_t slot, std::uint32_t packed) noexcept {
        std::atomic_ref<std::uint32_t>(entries[slot]).store(packed, std::memory_order_release);
    }

    // Where a fingerprint is, or where it would go.
    struct Probe {
        std::size_t found = kNone;
        std::size_t reusable = kNone;  // first tombstone on the way
        std::size_t empty = kNone;     // first empty slot of the last bucket
    };

    Probe probe(std::uint64_t fingerprint) const noexcept {
        Probe result;
        for (std::size_t bucket = home(fingerprint);; bucket = next(bucket)) {
            std::size_t base = bucket * kBucketSlots;
            for (std::size_t slot = base; slot < base + kBucketSlots; ++slot) {
                std::uint64_t value = load(slot);
                if (value == fingerprint) {
                    result.found = slot;
                    return result;
                }
                if (value == kEmpty && result.empty == kNone) {
                    result.empty = slot;
                } else if (value == kTombstone && result.reusable == kNone) {
                    result.reusable = slot;
                }
            }
            if (result.empty != kNone) {
                return result;
            }
        }
    }

    std::optional<std::uint32_t> find(std::uint64_t fingerprint) const noexcept {
        for (;;) {
            std::uint32_t packed = 0;
            switch (read(fingerprint, packed)) {
                case Read::found:
                    return packed;
                case Read::absent:
                    return std::nullopt;
                case Read::raced:
                    continue;  // the slot changed key under us: probe again
            }
        }
    }

    enum class Read { found, absent, raced };
    Read read(std::uint64_t fingerprint, std::uint32_t& packed) const noexcept {
        for (std::size_t bucket = home(fingerprint);; bucket = next(bucket)) {
            std::size_t base = bucket * kBucketSlots;
            bool has_empty = false;
            for (std::size_t slot = base; slot < base + kBucketSlots; ++slot) {
                std::uint64_t value = load(slot);
                if (value == fingerprint) {
                    // The entry is written before the fingerprint; still
                    // ours after reading it means it is this key's entry.
                    packed = load_entry(slot);
                    return load(slot) == fingerprint ? Read::found : Read::raced;
                }
                has_empty = has_empty || value == kEmpty;
            }
            if (has_empty) {
                return Read::absent;
            }
        }
    }

    // Only before publication, or from the single writer. Returns whether
    // the fingerprint is new; an existing one gets the new entry.
    bool insert(std::uint64_t fingerprint, std::uint32_t packed) noexcept {
        Probe where = probe(fingerprint);
        if (where.found != kNone) {
            store_entry(where.found, packed);
            return false;
        }
        std::size_t slot = where.reusable != kNone ? where.reusable : where.empty;
        if (where.reusable != kNone) {
            --tombstones;
        }
        store_entry(slot, packed);
        store(slot, fingerprint);
        ++used;
        return true;
    }

    bool erase(std::uint64_t fingerprint) noexcept {
        Probe where = probe(fingerprint);
        if (where.found == kNone) {
            return false;
        }
        store(where.found, kTombstone);
        --used;
        ++tombstones;
        return true;
    }

    std::size_t buckets;
    std::size_t capacity;  // slots
    std::unique_ptr<std::uint64_t[], SlotsDeleter> slots;
    std::uint32_t* entries;      // inside the mapping of `slots`
    std::size_t used = 0;        // live fingerprints
    std::size_t tombstones = 0;  // erased slots still on probe paths
};

SuppressionIndex::SuppressionIndex() : current_(nullptr) {
    publish(std::make_unique<Table>(kMinimumCapacity));
}

SuppressionIndex::~SuppressionIndex() = default;

std::uint64_t SuppressionIndex::fingerprint(std::string_view key) noexcept {
    std::uint64_t value = mix(std::hash<std::string_view>{}(key));
    return value < 2 ? value + 2 : value;  // 0 and 1 mark empty and erased slots
}

std::optional<IndexEntry> SuppressionIndex::find(std::string_view key,
                                                 TimePoint now) const noexcept {
    return find_fingerprint(fingerprint(key), now);
}

std::optional<IndexEntry> SuppressionIndex::find_fingerprint(std::uint64_t fingerprint,
                                                             TimePoint now) const noexcept {
    auto packed = current_.load(std::memory_order_acquire)->find(fingerprint);
    if (!packed) {
        return std::nullopt;
    }
    IndexEntry entry = unpack(*packed);
    if (entry.expired_at(now)) {
        return std::nullopt;
    }
    return entry;
}

bool SuppressionIndex::might_contain(std::string_view key) const noexcept {
    return current_.load(std::memory_order_acquire)->find(fingerprint(key)).has_value();
}

void SuppressionIndex::insert(std::string_view key, const IndexEntry& entry) {
    insert_fingerprint(fingerprint(key), entry);
}
void SuppressionIndex::erase(std::string_view key) {
    erase_fingerprint(fingerprint(key));
}

void SuppressionIndex::insert_fingerprint(std::uint64_t fingerprint, const IndexEntry& entry) {
    grow_if_needed();
    if (tables_.back()->insert(fingerprint, pack(entry))) {
        size_.fetch_add(1, std::memory_order_relaxed);
    }
}

void SuppressionIndex::erase_fingerprint(std::uint64_t fingerprint) {
    if (tables_.back()->erase(fingerprint)) {
        size_.fetch_sub(1, std::memory_order_relaxed);
    }
}

void SuppressionIndex::Content::add(std::string_view key, const IndexEntry& entry) {
    add_fingerprint(fingerprint(key), entry);
}

void SuppressionIndex::Content::add_fingerprint(std::uint64_t fingerprint,
                                                const IndexEntry& entry) {
    fingerprints_.push_back(fingerprint);
    entries_.push_back(pack(entry));
}

void SuppressionIndex::Content::reserve(std::size_t entries) {
    fingerprints_.reserve(entries);
    entries_.reserve(entries);
}

void SuppressionIndex::assign(const Content& content) {
    auto table = std::make_unique<Table>(capacity_for(content.size(), kBuildLoad));
    for (std::size_t i = 0; i < content.size(); ++i) {
        table->insert(content.fingerprints_[i], content.entries_[i]);
    }
    size_.store(table->used, std::memory_order_relaxed);
    publish(std::move(table));
}

void SuppressionIndex::grow_if_needed() {
    const Table& table = *tables_.back();
    if (static_cast<double>(table.used + table.tombstones + 1) <=
        kMaxLoad * static_cast<double>(table.capacity)) {
        return;
    }
    auto bigger = std::make_unique<Table>(capacity_for(table.used + 1, kGrowthLoad));
    for (std::size_t slot = 0; slot < table.capacity; ++slot) {
        std::uint64_t value = table.load(slot);
        if (value != kEmpty && value != kTombstone) {
            bigger->insert(value, table.load_entry(slot));
        }
    }
    publish(std::move(bigger));
}

void SuppressionIndex::publish(std::unique_ptr<Table> table) {
    current_.store(table.get(), std::memory_order_release);
    tables_.push_back(std::move(table));
}

std::size_t SuppressionIndex::size() const noexcept {
    return size_.load(std::memory_order_relaxed);
}

std::size_t SuppressionIndex::memory_bytes() const noexcept {
    std::size_t bytes = sizeof(*this) + tables_.capacity() * sizeof(tables_[0]);
    for (const auto& table : tables_) {
        bytes += sizeof(Table) + table->capacity * kSlotBytes;
    }
    return bytes;
}

}  // namespace fbl::suppression
