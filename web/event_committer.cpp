#include "web/event_committer.h"

#include <future>
#include <set>
#include <utility>

#include "common/log.h"
#include "common/metrics.h"

namespace fbl::web {

struct EventCommitter::Pending {
    Submission submission;
    CommitAnswer answer;
    std::promise<CommitAnswer> done;
};

EventCommitter::EventCommitter(ConfigSource config, std::size_t max_batch)
    : config_source_(std::move(config)),
      max_batch_(max_batch == 0 ? 1 : max_batch),
      thread_([this] { run(); }) {}

EventCommitter::~EventCommitter() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

CommitAnswer EventCommitter::commit(Submission submission) {
    auto pending = std::make_shared<Pending>();
    pending->submission = std::move(submission);
    auto answer = pending->done.get_future();
    {
        std::lock_guard lock(mutex_);
        queue_.push_back(pending);
    }
    wake_.notify_one();
    return answer.get();
}

void EventCommitter::run() {
    for (;;) {
        Batch batch;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) {
                return;  // stopping, and every request has its answer
            }
            while (!queue_.empty() && batch.size() < max_batch_) {
                batch.push_back(queue_.front());
                queue_.pop_front();
            }
        }
        commit_batch(batch);
        for (const auto& pending : batch) {
            pending->done.set_value(std::move(pending->answer));
        }
    }
}

void EventCommitter::prepare_intake() {
    auto config = config_source_();
    if (!store_) {
        intake_.reset();
        store_ = store::open_store(config->store);
    }
    if (!intake_ || config != config_in_use_) {
        config_in_use_ = config;
        intake_ = std::make_unique<intake::Intake>(*config_in_use_, *store_);
    }
}

void EventCommitter::commit_batch(Batch& batch) {
    for (const auto& pending : batch) {
        pending->answer.outcome = CommitOutcome::unavailable;
    }
    try {
        prepare_intake();
        sort_out_replays(batch);
        take_events(batch);
    } catch (const std::exception& error) {
        // Nothing of the batch is stored (one transaction): every request
        // answers 503 and its sender retries.
        log::error("web: cannot commit {} request(s): {}", batch.size(), error.what());
        metrics::global().store_error("record_complaint");
        intake_.reset();
        store_.reset();
        return;
    }
    remember_tokens(batch);
}

void EventCommitter::sort_out_replays(Batch& batch) {
    std::set<std::pair<store::Channel, std::string>> in_this_batch;
    for (const auto& pending : batch) {
        const Submission& submission = pending->submission;
        if (submission.replay_token.empty()) {
            continue;
        }
        bool repeated = !in_this_batch.emplace(submission.channel, submission.replay_token).second;
        if (repeated || store_->token_seen(submission.channel, submission.replay_token)) {
            pending->answer.outcome = CommitOutcome::replayed;
        }
    }
}

void EventCommitter::take_events(Batch& batch) {
    std::vector<intake::VouchedEvent> events;
    for (const auto& pending : batch) {
        if (pending->answer.outcome != CommitOutcome::replayed) {
            events.insert(events.end(), pending->submission.events.begin(),
                          pending->submission.events.end());
        }
    }
    std::vector<intake::IntakeResult> results = intake_->take_all(events);
    auto next = results.begin();
    for (const auto& pending : batch) {
        if (pending->answer.outcome == CommitOutcome::replayed) {
            continue;
        }
        auto count = static_cast<std::ptrdiff_t>(pending->submission.events.size());
        pending->answer.results.assign(std::make_move_iterator(next),
                                       std::make_move_iterator(next + count));
        next += count;
        pending->answer.outcome = CommitOutcome::committed;
    }
}

// After the commit: a token lost here (store gone in between) only lets the
// same signed request in once more, and its events are deduplicated by id.
void EventCommitter::remember_tokens(const Batch& batch) {
    for (const auto& pending : batch) {
        const Submission& submission = pending->submission;
        if (pending->answer.outcome != CommitOutcome::committed ||
            submission.replay_token.empty()) {
            continue;
        }
        try {
            store_->remember_token(submission.channel, submission.replay_token,
                                   submission.replay_until);
        } catch (const std::exception& error) {
            log::warning("web: committed, but cannot remember the request's replay token: {}",
                         error.what());
        }
    }
}

}  // namespace fbl::web
