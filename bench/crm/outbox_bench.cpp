// Drains N outbox jobs (webhook preset: one signed POST each) against the
// local fake CRM answering every request after 20 ms, at a given adapter
// concurrency, with the rate limit set above what the concurrency allows.
// Reports jobs/s, the worker process's CPU seconds, and the largest number
// of requests the CRM saw start within any one second (must not exceed
// rate + 1: the token bucket holds one token).
#include <algorithm>
#include <fstream>

#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include "common/log.h"
#include "config/loader.h"
#include "crm/outbox_worker.h"
#include "fake_crm_server.h"
#include "store/store.h"

namespace {

using nlohmann::json;

double cpu_seconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
           static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

std::size_t max_in_one_second(const json& requests) {
    std::vector<double> starts;
    for (const auto& request : requests) {
        starts.push_back(request["t"].get<double>());
    }
    std::sort(starts.begin(), starts.end());
    std::size_t best = 0;
    std::size_t low = 0;
    for (std::size_t high = 0; high < starts.size(); ++high) {
        while (starts[high] - starts[low] >= 1.0) {
            ++low;
        }
        best = std::max(best, high - low + 1);
    }
    return best;
}

void BM_DrainOutbox(benchmark::State& state) {
    const auto concurrency = static_cast<int>(state.range(0));
    const auto jobs = static_cast<int>(state.range(1));
    const int rate = static_cast<int>(state.range(2));
    fbl::log::configure(fbl::log::Destination::stderr_stream, fbl::log::Level::warning,
                        fbl::log::PiiMode::plain);
    for (auto _ : state) {
        state.PauseTiming();
        fbl::crm::testing::TempDir dir;
        fbl::crm::testing::FakeCrmServer server(std::string(FBL_SOURCE_DIR) +
                                                "/bench/crm/bench_crm_server.py");
        const std::string secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        fbl::crm::testing::write_secret_file(dir.path() / "secret", secret);
        server.setup({{"delay_ms", 20}});
        auto yaml = "store:\n  backend: sqlite\n  sqlite:\n    path: '" +
                    (dir.path() / "fbl.db").string() +
                    "'\ncrm:\n  adapters:\n    - name: hook\n      preset: webhook\n"
                    "      settings: {url: '" +
                    server.base() + "/webhook'}\n      allow_insecure: true\n" +
                    "      secrets:\n        signing_secret: {value_file: '" +
                    (dir.path() / "secret").string() +
                    "'}\n      concurrency: " + std::to_string(concurrency) +
                    "\n      rate_per_second: " + std::to_string(rate) + "\n";
        auto config = fbl::config::load_string(yaml, "bench.yaml");
        auto store = fbl::store::open_store(config.store);
        fbl::store::Complaint complaint;
        complaint.dedup_key = "bench";
        complaint.kind = fbl::store::ComplaintKind::complaint;
        complaint.trusted = true;
        complaint.recipients.push_back({"a@x.example", "a@x.example", "bench"});
        std::vector<fbl::store::OutboxJob> batch;
        for (int i = 0; i < jobs; ++i) {
            fbl::store::OutboxJob job;
            job.adapter = "hook";
            job.idempotency_key = "bench-" + std::to_string(i);
            job.payload_json = json{
                {"email", "user" + std::to_string(i) + "@x.example"},
                {"reason",
                 "complaint"}}.dump();
            batch.push_back(std::move(job));
        }
        store->record_complaint(complaint, fbl::suppression::Scope::marketing, std::nullopt, batch);
        fbl::crm::OutboxWorker worker(config, *store);
        auto cpu_before = cpu_seconds();
        auto start = std::chrono::steady_clock::now();
        state.ResumeTiming();

        auto counts = worker.run_once();

        state.PauseTiming();
        std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
        auto cpu = cpu_seconds() - cpu_before;
        auto requests = server.requests();
        if (counts.done != static_cast<std::size_t>(jobs)) {
            state.SkipWithError("not every job was done");
        }
        state.counters["jobs_per_s"] = static_cast<double>(counts.done) / elapsed.count();
        state.counters["worker_cpu_s"] = cpu;
        state.counters["cpu_ms_per_job"] = 1000.0 * cpu / jobs;
        state.counters["max_requests_in_1s"] = static_cast<double>(max_in_one_second(requests));
        state.counters["rate_limit"] = rate;
        state.counters["elapsed_s"] = elapsed.count();
        state.ResumeTiming();
    }
}

// {concurrency, jobs, rate_per_second}
BENCHMARK(BM_DrainOutbox)
    ->ArgNames({"concurrency", "jobs", "rate"})
    ->Args({1, 10000, 1000})
    ->Args({32, 10000, 1000})
    ->Args({32, 10000, 400})
    ->Iterations(1)
    ->Unit(benchmark::kSecond);

}  // namespace

BENCHMARK_MAIN();
