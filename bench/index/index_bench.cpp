// The RCPT-time lookup: latency of hits and misses at 1M and 10M entries,
// bytes per entry, and the time to build the index from a SQLite store of
// 10M suppressions. See bench/README.md for the command and the figures.
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <sqlite3.h>
#include <unistd.h>

#include "store/sqlite/sqlite_store.h"
#include "suppression/follower.h"
#include "suppression/index.h"

namespace {

using fbl::suppression::SuppressionIndex;

std::string key(std::int64_t number) {
    return "subscriber" + std::to_string(number) + "@example.com";
}

// Resident set size of this process, from /proc.
std::size_t resident_bytes() {
    std::ifstream statm("/proc/self/statm");
    std::size_t pages = 0;
    std::size_t resident = 0;
    statm >> pages >> resident;
    return resident * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

struct BuiltIndex {
    std::unique_ptr<SuppressionIndex> index;
    std::size_t resident_growth = 0;
};

// One index per size, built once and shared by the benchmarks.
BuiltIndex& index_of(std::int64_t entries) {
    static std::map<std::int64_t, BuiltIndex> built;
    auto& slot = built[entries];
    if (!slot.index) {
        SuppressionIndex::Content content;
        content.reserve(static_cast<std::size_t>(entries));
        for (std::int64_t i = 0; i < entries; ++i) {
            content.add(key(i), fbl::suppression::IndexEntry{});
        }
        std::size_t before = resident_bytes();
        slot.index = std::make_unique<SuppressionIndex>();
        slot.index->assign(content);
        slot.resident_growth = resident_bytes() - before;
    }
    return slot;
}

// Keys looked up in turn: spread over the whole table so the caches do not
// hold them all (the milter sees arbitrary recipients).
std::vector<std::string> probe_keys(std::int64_t entries, bool present) {
    constexpr std::int64_t kProbes = 1 << 16;
    std::vector<std::string> keys;
    std::uint64_t state = 0x9e3779b97f4a7c15ULL;
    for (std::int64_t i = 0; i < kProbes; ++i) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        auto pick = static_cast<std::int64_t>((state >> 33) % static_cast<std::uint64_t>(entries));
        keys.push_back(present ? key(pick) : key(entries + pick));
    }
    return keys;
}

void lookup(benchmark::State& state, bool present) {
    auto entries = state.range(0);
    auto& built = index_of(entries);
    auto keys = probe_keys(entries, present);
    std::size_t next = 0;
    std::size_t found = 0;
    for (auto _ : state) {
        // What SuppressionLookup::lookup does: the whole RCPT decision.
        bool hit = built.index->find(keys[next], std::chrono::system_clock::now()).has_value();
        benchmark::DoNotOptimize(hit);
        found += hit ? 1 : 0;
        next = (next + 1) & (keys.size() - 1);
    }
    if ((found != 0) != present) {
        state.SkipWithError("lookup answered wrongly");
    }
    state.counters["entries"] = static_cast<double>(built.index->size());
    state.counters["bytes_per_entry"] =
        static_cast<double>(built.index->memory_bytes()) / static_cast<double>(built.index->size());
    state.counters["rss_bytes_per_entry"] =
        static_cast<double>(built.resident_growth) / static_cast<double>(built.index->size());
}

// The part of a lookup that does not depend on the table: hashing the key.
void BM_FingerprintOnly(benchmark::State& state) {
    auto keys = probe_keys(state.range(0), false);
    std::size_t next = 0;
    for (auto _ : state) {
        benchmark::DoNotOptimize(SuppressionIndex::fingerprint(keys[next]));
        next = (next + 1) & (keys.size() - 1);
    }
}
BENCHMARK(BM_FingerprintOnly)->Arg(1'000'000)->Repetitions(5)->ReportAggregatesOnly(true);

void BM_LookupMiss(benchmark::State& state) {
    lookup(state, false);
}
void BM_LookupHit(benchmark::State& state) {
    lookup(state, true);
}

BENCHMARK(BM_LookupMiss)
    ->Arg(1'000'000)
    ->Arg(10'000'000)
    ->Repetitions(5)
    ->ReportAggregatesOnly(true);
BENCHMARK(BM_LookupHit)
    ->Arg(1'000'000)
    ->Arg(10'000'000)
    ->Repetitions(5)
    ->ReportAggregatesOnly(true);

// A SQLite store holding `entries` suppressions, made once and kept in
// $FBL_BENCH_DIR (default /tmp) because 10M rows take a while to write.
std::string store_with(std::int64_t entries) {
    const char* directory = std::getenv("FBL_BENCH_DIR");
    std::string path = std::string(directory ? directory : "/tmp") + "/fbl-bench-" +
                       std::to_string(entries) + ".db";
    std::string ready = path + ".ready";
    if (std::filesystem::exists(ready)) {
        return path;
    }
    std::filesystem::remove(path);
    std::filesystem::remove(path + "-wal");
    std::filesystem::remove(path + "-shm");
    { fbl::store::SqliteStore schema({path, std::chrono::seconds(5)}); }
    sqlite3* db = nullptr;
    sqlite3_open(path.c_str(), &db);
    sqlite3_exec(db, "PRAGMA synchronous = OFF; BEGIN", nullptr, nullptr, nullptr);
    sqlite3_stmt* insert = nullptr;
    sqlite3_prepare_v2(
        db,
        "INSERT INTO suppressions (key, address, reason, scope, source, first_at, last_at) "
        "VALUES (?1, ?1, 'import', 'marketing', 'bench', 1700000000000000, 1700000000000000)",
        -1, &insert, nullptr);
    for (std::int64_t i = 0; i < entries; ++i) {
        std::string text = key(i);
        sqlite3_bind_text(insert, 1, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
        sqlite3_step(insert);
        sqlite3_reset(insert);
    }
    sqlite3_finalize(insert);
    sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
    sqlite3_close(db);
    std::ofstream(ready) << entries << '\n';
    return path;
}

void BM_BuildFromStore(benchmark::State& state) {
    auto path = store_with(state.range(0));
    fbl::store::SqliteStore store({path, std::chrono::seconds(5)});
    for (auto _ : state) {
        SuppressionIndex index;
        fbl::suppression::ChangeFollower follower(store, index, std::chrono::milliseconds(250));
        follower.build();
        state.counters["entries"] = static_cast<double>(index.size());
        state.counters["bytes_per_entry"] =
            static_cast<double>(index.memory_bytes()) / static_cast<double>(index.size());
    }
}

BENCHMARK(BM_BuildFromStore)
    ->Arg(10'000'000)
    ->Iterations(1)
    ->Repetitions(3)
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
