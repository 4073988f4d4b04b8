#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "config/config.h"
#include "crm/adapter.h"
#include "crm/http_engine.h"
#include "crm/job_run.h"
#include "crm/redactor.h"
#include "crm/secret_store.h"
#include "crm/token_bucket.h"
#include "store/store.h"

// Drains the CRM outbox: leases due jobs per adapter, runs their HTTP steps
// with libcurl (many in flight on one thread), and records each job's end in
// the store: done, retry later, or dead letter. Hosted by fblmilter (start /
// stop) or run by `fblctl outbox run` (run_once / run_until).
namespace fbl::crm {

struct WorkerCounts {
    std::size_t done = 0;
    std::size_t retried = 0;
    std::size_t dead = 0;
    std::size_t requests = 0;
};

class OutboxWorker {
  public:
    // Throws AdapterError when an adapter of the config cannot be built.
    OutboxWorker(const config::Config& config, store::OutboxStore& store);
    ~OutboxWorker();
    OutboxWorker(const OutboxWorker&) = delete;
    OutboxWorker& operator=(const OutboxWorker&) = delete;

    // Runs the worker on its own thread until stop().
    void start();
    // Stops leasing, lets requests in flight finish (bounded by the request
    // timeouts), records their outcome and joins the thread. Jobs not
    // finished by then are retried by whoever leases them after the lease.
    void stop();
    // Wakes the worker to look for new jobs now (e.g. after a complaint).
    void notify();

    // Processes every job due now, then returns (fblctl outbox run --once).
    WorkerCounts run_once();
    // Processes jobs as they become due until `should_stop` returns true.
    WorkerCounts run_until(const std::function<bool()>& should_stop);

    WorkerCounts counts() const;

    // How often an idle worker looks for new jobs.
    static constexpr std::chrono::milliseconds kIdlePoll{1000};

  private:
    struct Runtime;
    enum class Mode { once, forever };

    void loop(Mode mode, const std::function<bool()>& should_stop);
    void warn_about_jobs_without_adapter();
    void lease(Runtime& runtime, std::chrono::steady_clock::time_point now, Mode mode);
    void send_ready(Runtime& runtime, std::chrono::steady_clock::time_point now);
    void send(Runtime& runtime, JobRun& run);
    void on_answer(Runtime& runtime, JobRun& run, const HttpResponse& response);
    void finish(Runtime& runtime, JobRun& run);
    void record_retry(JobRun& run, const Verdict& verdict);
    void record_dead(JobRun& run, const std::string& error);
    bool record_safely(std::int64_t id, const std::function<void()>& write);
    std::chrono::milliseconds next_wakeup(std::chrono::steady_clock::time_point now) const;
    bool idle_and_drained() const;
    void drain_in_flight();
    void queue_completion(store::JobCompletion completion);
    void store_thread();
    void wait_for_store();
    void take_leased(std::chrono::steady_clock::time_point now);

    store::OutboxStore& store_;
    std::chrono::seconds lease_;
    Redactor redactor_;
    std::vector<std::unique_ptr<Runtime>> runtimes_;
    HttpEngine engine_;
    std::mt19937_64 random_;
    // The store is written by a thread of its own, so the HTTP loop never
    // waits for a commit: finished jobs are recorded many per transaction,
    // and leases are taken ahead. A crash before a completion is written only
    // means the job is sent again (idempotently) once its lease runs out.
    struct LeaseRequest {
        Runtime* runtime;
        std::size_t limit;
    };
    struct LeaseResult {
        Runtime* runtime;
        std::size_t limit;
        std::vector<store::OutboxJob> jobs;
    };
    std::mutex store_mutex_;
    std::condition_variable store_changed_;
    std::vector<store::JobCompletion> completions_;
    std::vector<LeaseRequest> lease_requests_;
    std::vector<LeaseResult> lease_results_;
    bool store_busy_ = false;
    bool store_stop_ = false;
    std::thread store_thread_;
    std::atomic<bool> stopping_{false};
    std::atomic<bool> notified_{false};
    std::thread thread_;
    mutable std::mutex counts_mutex_;
    WorkerCounts counts_;
};

}  // namespace fbl::crm
