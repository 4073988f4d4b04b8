#include "crm/outbox_worker.h"

#include <algorithm>
#include <limits>
#include <set>

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/log.h"
#include "common/metrics.h"
#include "crm/job_payload.h"
#include "crm/template.h"

namespace fbl::crm {

using SteadyClock = std::chrono::steady_clock;

struct OutboxWorker::Runtime {
    Runtime(Adapter built, Redactor& redactor)
        : adapter(std::move(built)),
          secrets(adapter.config.secrets, redactor),
          bucket(adapter.config.rate_per_second) {}

    Adapter adapter;
    SecretStore secrets;
    TokenBucket bucket;
    std::map<std::int64_t, std::unique_ptr<JobRun>> active;
    std::deque<JobRun*> ready;   // requests waiting for a free slot or the rate limit
    std::size_t in_flight = 0;   // requests sent, not answered
    bool lease_pending = false;  // asked the store thread for jobs
    SteadyClock::time_point next_lease{};
    bool drained = false;  // once mode: no due job was left at the last lease

    std::size_t capacity() const { return static_cast<std::size_t>(adapter.config.concurrency); }
    // Jobs leased ahead of the free slots, so a slot never waits for the
    // store and leases come in batches: at least 32, yet no more than the
    // rate limit sends in half a lease (a waiting job must not outlive it).
    std::size_t backlog(std::chrono::seconds lease) const {
        auto by_rate = static_cast<std::size_t>(adapter.config.rate_per_second *
                                                static_cast<double>(lease.count()) / 2);
        return std::max(capacity(), std::min(std::max<std::size_t>(2 * capacity(), 32), by_rate));
    }
};

namespace {

std::string email_of(const JobRun& run) {
    try {
        std::string email = JobPayload::from_json(run.job().payload_json).email;
        return email.empty() ? "?" : log::address(email);
    } catch (const std::invalid_argument&) {
        return "?";
    }
}

}  // namespace

OutboxWorker::OutboxWorker(const config::Config& config, store::OutboxStore& store)
    : store_(store), lease_(config.crm.lease), random_(std::random_device{}()) {
    for (auto& adapter : build_adapters(config)) {
        runtimes_.push_back(std::make_unique<Runtime>(std::move(adapter), redactor_));
    }
    store_thread_ = std::thread([this] { store_thread(); });
}

OutboxWorker::~OutboxWorker() {
    stop();
    {
        std::lock_guard lock(store_mutex_);
        store_stop_ = true;
        store_changed_.notify_all();
    }
    store_thread_.join();
}

void OutboxWorker::start() {
    if (thread_.joinable()) {
        return;
    }
    stopping_ = false;
    thread_ = std::thread([this] {
        try {
            loop(Mode::forever, [this] { return stopping_.load(); });
        } catch (const std::exception& error) {
            log::error("crm: outbox worker stopped: {}", redactor_.redact(error.what()));
        }
    });
}

void OutboxWorker::stop() {
    stopping_ = true;
    engine_.wakeup();
    if (thread_.joinable()) {
        thread_.join();
    }
}

void OutboxWorker::notify() {
    notified_ = true;
    engine_.wakeup();
}

WorkerCounts OutboxWorker::run_once() {
    loop(Mode::once, [] { return false; });
    return counts();
}

WorkerCounts OutboxWorker::run_until(const std::function<bool()>& should_stop) {
    loop(Mode::forever, should_stop);
    return counts();
}

WorkerCounts OutboxWorker::counts() const {
    std::lock_guard lock(counts_mutex_);
    return counts_;
}

// Jobs are leased by adapter name, so those of an adapter taken out of the
// configuration would wait in silence: a revocation that never reaches that
// CRM. Say so whenever the worker starts.
void OutboxWorker::warn_about_jobs_without_adapter() {
    std::set<std::string> configured;
    for (const auto& runtime : runtimes_) {
        configured.insert(runtime->adapter.config.name);
    }
    try {
        for (const auto& count : store_.outbox_counts()) {
            bool waiting =
                count.state == store::JobState::pending || count.state == store::JobState::leased;
            if (waiting && count.jobs > 0 && !configured.contains(count.adapter)) {
                log::warning(
                    "crm: {} {} job(s) of adapter '{}', which is not configured, will not be "
                    "sent; add the adapter back, or see them with 'fblctl outbox list --adapter "
                    "{}'",
                    count.jobs, store::to_string(count.state), count.adapter, count.adapter);
            }
        }
    } catch (const std::exception& error) {
        log::error("crm: cannot count outbox jobs: {}", redactor_.redact(error.what()));
    }
}

void OutboxWorker::loop(Mode mode, const std::function<bool()>& should_stop) {
    warn_about_jobs_without_adapter();
    for (auto& runtime : runtimes_) {
        runtime->drained = false;
        runtime->next_lease = {};
    }
    while (!should_stop()) {
        auto now = SteadyClock::now();
        if (notified_.exchange(false)) {
            for (auto& runtime : runtimes_) {
                runtime->next_lease = now;
            }
        }
        take_leased(now);
        for (auto& runtime : runtimes_) {
            lease(*runtime, now, mode);
            send_ready(*runtime, now);
        }
        if (mode == Mode::once && idle_and_drained()) {
            wait_for_store();
            return;
        }
        engine_.poll(next_wakeup(now));
    }
    drain_in_flight();
    wait_for_store();
    // Jobs leased meanwhile are left to their lease.
    std::lock_guard lock(store_mutex_);
    lease_results_.clear();
    for (auto& runtime : runtimes_) {
        runtime->lease_pending = false;
    }
}

void OutboxWorker::queue_completion(store::JobCompletion completion) {
    std::lock_guard lock(store_mutex_);
    completions_.push_back(std::move(completion));
    store_changed_.notify_all();
}

// Whatever finished while the last commit ran goes into the next one (group
// commit); then the leases asked for meanwhile are taken.
void OutboxWorker::store_thread() {
    std::unique_lock lock(store_mutex_);
    while (true) {
        store_changed_.wait(lock, [this] {
            return store_stop_ || !completions_.empty() || !lease_requests_.empty();
        });
        if (completions_.empty() && lease_requests_.empty()) {
            return;
        }
        auto batch = std::move(completions_);
        completions_.clear();
        auto requests = std::move(lease_requests_);
        lease_requests_.clear();
        store_busy_ = true;
        lock.unlock();
        if (!batch.empty()) {
            try {
                store_.complete_jobs(batch);
            } catch (const std::exception& error) {
                metrics::global().store_error("outbox");
                // Their leases run out and they are sent again: nothing is lost.
                log::error("crm: cannot record {} finished jobs: {}", batch.size(),
                           redactor_.redact(error.what()));
            }
        }
        std::vector<LeaseResult> results;
        for (const auto& request : requests) {
            LeaseResult result{request.runtime, request.limit, {}};
            try {
                result.jobs =
                    store_.lease_jobs(request.runtime->adapter.config.name, request.limit, lease_);
            } catch (const std::exception& error) {
                metrics::global().store_error("outbox");
                log::error("crm: cannot lease jobs of {}: {}", request.runtime->adapter.config.name,
                           redactor_.redact(error.what()));
                result.limit = std::numeric_limits<std::size_t>::max();  // try later
            }
            results.push_back(std::move(result));
        }
        lock.lock();
        for (auto& result : results) {
            lease_results_.push_back(std::move(result));
        }
        store_busy_ = false;
        store_changed_.notify_all();
        if (!results.empty()) {
            engine_.wakeup();
        }
    }
}

void OutboxWorker::wait_for_store() {
    std::unique_lock lock(store_mutex_);
    store_changed_.wait(
        lock, [this] { return completions_.empty() && lease_requests_.empty() && !store_busy_; });
}

// Leases when half the backlog is used up, filling it again: a busy worker
// takes jobs in batches (one store transaction each), and the next jobs are
// at hand when a slot frees.
void OutboxWorker::lease(Runtime& runtime, SteadyClock::time_point now, Mode mode) {
    auto backlog = runtime.backlog(lease_);
    if (runtime.lease_pending || runtime.active.size() > backlog / 2 || now < runtime.next_lease ||
        (mode == Mode::once && runtime.drained)) {
        return;
    }
    runtime.lease_pending = true;
    std::lock_guard lock(store_mutex_);
    lease_requests_.push_back({&runtime, backlog - runtime.active.size()});
    store_changed_.notify_all();
}

void OutboxWorker::take_leased(SteadyClock::time_point now) {
    std::vector<LeaseResult> results;
    {
        std::lock_guard lock(store_mutex_);
        results.swap(lease_results_);
    }
    for (auto& result : results) {
        auto& runtime = *result.runtime;
        runtime.lease_pending = false;
        if (result.jobs.size() < result.limit) {
            runtime.next_lease = now + kIdlePoll;
            runtime.drained = true;
        }
        for (auto& job : result.jobs) {
            auto id = job.id;
            try {
                auto run = std::make_unique<JobRun>(runtime.adapter, std::move(job),
                                                    runtime.secrets, redactor_);
                runtime.ready.push_back(run.get());
                runtime.active.emplace(id, std::move(run));
            } catch (const std::exception& error) {
                auto message = redactor_.redact(error.what());
                if (record_safely(id, [&] { store_.dead_letter_job(id, message, ""); })) {
                    std::lock_guard lock(counts_mutex_);
                    ++counts_.dead;
                }
            }
        }
    }
}

void OutboxWorker::send_ready(Runtime& runtime, SteadyClock::time_point now) {
    while (!runtime.ready.empty() && runtime.in_flight < runtime.capacity() &&
           runtime.bucket.take(now)) {
        auto* run = runtime.ready.front();
        runtime.ready.pop_front();
        send(runtime, *run);
    }
}

void OutboxWorker::send(Runtime& runtime, JobRun& run) {
    HttpRequest request;
    try {
        request = run.request(Clock::now());
    } catch (const std::exception& error) {
        std::string why = std::string("cannot build the request: ") + error.what();
        record_safely(run.job().id, [&] { record_dead(run, why); });
        finish(runtime, run);
        return;
    }
    {
        std::lock_guard lock(counts_mutex_);
        ++counts_.requests;
    }
    ++runtime.in_flight;
    engine_.submit(std::move(request), [this, &runtime, &run](HttpResponse response) {
        on_answer(runtime, run, response);
    });
}

void OutboxWorker::on_answer(Runtime& runtime, JobRun& run, const HttpResponse& response) {
    --runtime.in_flight;
    auto verdict = run.answer(response);
    try {
        switch (verdict.kind) {
            case Verdict::Kind::send:
                // The next request of the job goes first, but still through the rate limit.
                runtime.ready.push_front(&run);
                return;
            case Verdict::Kind::complete:
                metrics::global().crm_request(runtime.adapter.config.name, "success");
                queue_completion(
                    {run.job().id, run.transcript(),
                     verdict.not_found ? store::CrmLookup::not_found : store::CrmLookup::found});
                log::info("crm: job {} ({}, {}) done", run.job().id, runtime.adapter.config.name,
                          email_of(run));
                {
                    std::lock_guard lock(counts_mutex_);
                    ++counts_.done;
                }
                break;
            case Verdict::Kind::retry:
                metrics::global().crm_request(runtime.adapter.config.name, "retry");
                record_retry(run, verdict);
                break;
            case Verdict::Kind::dead:
                metrics::global().crm_request(runtime.adapter.config.name, "dead");
                record_dead(run, verdict.error);
                break;
        }
    } catch (const std::exception& error) {
        // The lease runs out and the job is tried again: nothing is lost.
        metrics::global().crm_request(runtime.adapter.config.name, "error");
        metrics::global().store_error("outbox");
        log::error("crm: job {}: cannot record the outcome: {}", run.job().id,
                   redactor_.redact(error.what()));
    }
    finish(runtime, run);
}

// A store write that fails leaves its job leased: the job runs again when
// the lease ends, and the worker goes on with the others (issue 14).
bool OutboxWorker::record_safely(std::int64_t id, const std::function<void()>& write) {
    try {
        write();
        return true;
    } catch (const std::exception& error) {
        metrics::global().store_error("outbox");
        log::error("crm: job {}: cannot record the outcome: {}", id,
                   redactor_.redact(error.what()));
        return false;
    }
}

void OutboxWorker::record_retry(JobRun& run, const Verdict& verdict) {
    const auto& job = run.job();
    const auto& policy = run.adapter().config.retry;
    auto now = Clock::now();
    auto when = next_attempt(policy, std::max(job.attempts, 1), verdict.retry_after, job.created_at,
                             now, random_);
    if (!when) {
        record_dead(run, fmt::format("gave up after {} attempts: {}", job.attempts, verdict.error));
        return;
    }
    store_.retry_job(job.id, *when, verdict.error);
    auto delay = std::chrono::duration_cast<std::chrono::seconds>(*when - now);
    log::notice("crm: job {} ({}, {}) attempt {} failed: {}; retry in {}", job.id, job.adapter,
                email_of(run), job.attempts, verdict.error, delay);
    std::lock_guard lock(counts_mutex_);
    ++counts_.retried;
}

void OutboxWorker::record_dead(JobRun& run, const std::string& error) {
    auto message = redactor_.redact(error);
    store_.dead_letter_job(run.job().id, message, run.transcript());
    log::warning("crm: job {} ({}, {}) dead-lettered: {}", run.job().id, run.job().adapter,
                 email_of(run), message);
    std::lock_guard lock(counts_mutex_);
    ++counts_.dead;
}

void OutboxWorker::finish(Runtime& runtime, JobRun& run) {
    auto id = run.job().id;
    std::erase(runtime.ready, &run);
    runtime.active.erase(id);
}

std::chrono::milliseconds OutboxWorker::next_wakeup(SteadyClock::time_point now) const {
    auto wait = std::chrono::duration_cast<std::chrono::microseconds>(kIdlePoll);
    for (const auto& runtime : runtimes_) {
        if (!runtime->ready.empty() && runtime->in_flight < runtime->capacity()) {
            wait = std::min(wait, runtime->bucket.wait(now));
        }
        if (runtime->active.size() <= runtime->backlog(lease_) / 2 && runtime->next_lease > now) {
            wait = std::min(wait, std::chrono::duration_cast<std::chrono::microseconds>(
                                      runtime->next_lease - now));
        }
    }
    // Round up: waking a little late keeps the rate limit; early would spin.
    return std::chrono::ceil<std::chrono::milliseconds>(wait);
}

bool OutboxWorker::idle_and_drained() const {
    return std::all_of(runtimes_.begin(), runtimes_.end(), [](const auto& runtime) {
        return runtime->drained && runtime->active.empty() && !runtime->lease_pending;
    });
}

// Lets the requests already sent finish so their outcome is recorded; jobs
// still waiting for the rate limit are left to their lease.
void OutboxWorker::drain_in_flight() {
    std::chrono::seconds longest{0};
    for (auto& runtime : runtimes_) {
        longest = std::max(longest, runtime->adapter.config.request_timeout);
        runtime->ready.clear();
    }
    auto deadline = SteadyClock::now() + longest + std::chrono::seconds(1);
    while (engine_.in_flight() > 0 && SteadyClock::now() < deadline) {
        engine_.poll(std::chrono::milliseconds(100));
        for (auto& runtime : runtimes_) {
            runtime->ready.clear();
        }
    }
    engine_.cancel_all();
    for (auto& runtime : runtimes_) {
        runtime->active.clear();
        runtime->in_flight = 0;
    }
}

}  // namespace fbl::crm
