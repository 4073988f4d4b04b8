// The shared PostgreSQL store (issue 8), on a throwaway local cluster:
// - BM_PropagationLatency: node A commits a complaint; how long until node
//   B's follower has the key in its index (LISTEN/NOTIFY + changes_since).
// - BM_BuildFromPostgres: ChangeFollower::build() (every key through a
//   cursor, fingerprint, fill the table) at FBL_BENCH_PG_ENTRIES entries
//   (default 10M), loaded with one generate_series INSERT.
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <libpq-fe.h>

#include "store/postgres/postgres_store.h"
#include "suppression/index.h"
#include "suppression/lookup.h"
#include "tests/store/pg_cluster.h"

namespace {

using fbl::store::Complaint;
using fbl::store::PostgresStore;
using fbl::suppression::ChangeFollower;
using fbl::suppression::Scope;
using fbl::suppression::SuppressionIndex;
using fbl::suppression::SuppressionLookup;
using fbl::testing::PgCluster;
using Clock = std::chrono::steady_clock;

double percentile(std::vector<double> values, double fraction) {
    std::sort(values.begin(), values.end());
    auto at = static_cast<std::size_t>(fraction * static_cast<double>(values.size() - 1));
    return values[at];
}

Complaint complaint_for(int number) {
    Complaint complaint;
    complaint.dedup_key = fmt::format("bench-{}", number);
    complaint.kind = fbl::store::ComplaintKind::complaint;
    complaint.feedback_type = "abuse";
    complaint.provider = "provider.example";
    complaint.trusted = true;
    complaint.trust_reason = "bench";
    complaint.report_json = "{}";
    std::string key = fmt::format("victim{}@example.com", number);
    complaint.recipients.push_back({key, key, "original-rcpt-to"});
    return complaint;
}

void BM_PropagationLatency(benchmark::State& state) {
    auto& cluster = PgCluster::shared();
    if (!cluster.started()) {
        state.SkipWithError("no PostgreSQL server could be started");
        return;
    }
    auto database = cluster.create_database();
    PostgresStore node_a(cluster.settings(database));
    PostgresStore node_b(cluster.settings(database));
    SuppressionLookup lookup_b(node_b, std::chrono::milliseconds(250));
    lookup_b.start();
    const int complaints = static_cast<int>(state.range(0));
    std::vector<double> after_commit_ms;
    std::vector<double> commit_ms;
    for (auto _ : state) {
        for (int number = 0; number < complaints; ++number) {
            auto complaint = complaint_for(number);
            const auto& key = complaint.recipients.front().key;
            auto started = Clock::now();
            node_a.record_complaint(complaint, Scope::all, std::nullopt, {});
            auto committed = Clock::now();
            while (!lookup_b.index().might_contain(key)) {
                std::this_thread::yield();
            }
            auto seen = Clock::now();
            commit_ms.push_back(
                std::chrono::duration<double, std::milli>(committed - started).count());
            after_commit_ms.push_back(
                std::chrono::duration<double, std::milli>(seen - committed).count());
        }
    }
    lookup_b.stop();
    state.counters["commit_p50_ms"] = percentile(commit_ms, 0.50);
    state.counters["propagation_p50_ms"] = percentile(after_commit_ms, 0.50);
    state.counters["propagation_p99_ms"] = percentile(after_commit_ms, 0.99);
    state.counters["propagation_max_ms"] = percentile(after_commit_ms, 1.0);
}

BENCHMARK(BM_PropagationLatency)->Arg(1000)->Iterations(1)->Unit(benchmark::kMillisecond);

long entries_wanted() {
    const char* text = std::getenv("FBL_BENCH_PG_ENTRIES");
    return text ? std::atol(text) : 10'000'000;
}

// Loads the suppressions once per process (repetitions reuse them): one
// INSERT ... SELECT generate_series, as fast as PostgreSQL loads rows.
std::string loaded_database(PgCluster& cluster, benchmark::State& state) {
    static std::string database;
    if (!database.empty()) {
        return database;
    }
    auto name = cluster.create_database();
    PostgresStore schema(cluster.settings(name));  // creates the tables
    auto started = Clock::now();
    PGconn* loader = PQconnectdb(cluster.conninfo(name).c_str());
    PQclear(PQexec(loader, "SET statement_timeout = 0"));
    PGresult* loaded = PQexec(
        loader,
        fmt::format("INSERT INTO suppressions (key, address, reason, scope, source, first_at, "
                    "last_at) SELECT 'user' || g || '@example' || (g % 1000) || '.com', 'user' || "
                    "g || '@example' || (g % 1000) || '.com', 'import', 'marketing', 'bench', g, g "
                    "FROM generate_series(1, {}) AS g",
                    entries_wanted())
            .c_str());
    bool ok = PQresultStatus(loaded) == PGRES_COMMAND_OK;
    PQclear(loaded);
    PQclear(PQexec(loader, "VACUUM ANALYZE suppressions"));
    PQfinish(loader);
    if (ok) {
        database = name;
        state.counters["load_s"] = std::chrono::duration<double>(Clock::now() - started).count();
    }
    return database;
}

void BM_BuildFromPostgres(benchmark::State& state) {
    auto& cluster = PgCluster::shared();
    if (!cluster.started()) {
        state.SkipWithError("no PostgreSQL server could be started");
        return;
    }
    auto database = loaded_database(cluster, state);
    if (database.empty()) {
        state.SkipWithError("cannot load the suppressions");
        return;
    }
    PostgresStore store(cluster.settings(database));
    for (auto _ : state) {
        SuppressionIndex index;
        ChangeFollower follower(store, index, std::chrono::milliseconds(250));
        follower.build();
        state.counters["entries"] = static_cast<double>(index.size());
    }
}

BENCHMARK(BM_BuildFromPostgres)->Iterations(1)->Repetitions(2)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
