#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "config/config.h"
#include "intake/event.h"
#include "intake/intake.h"
#include "store/records.h"
#include "store/store.h"

// Group commit for fblweb: request threads hand their vouched events to one
// committer thread, which takes every request waiting at that moment in ONE
// store transaction and then answers each. A commit costs one fsync however
// many requests it holds, so a burst of unsubscribes costs a few fsyncs, and
// no request is answered before its own event is durable.
namespace fbl::web {

// What one request hands over: its events and, for a signed webhook, the
// one-time token that makes the same request a replay.
struct Submission {
    store::Channel channel = store::Channel::one_click;
    std::vector<intake::VouchedEvent> events;
    std::string replay_token;  // empty: the channel has none
    store::TimePoint replay_until{};
};

enum class CommitOutcome {
    committed,    // durable (results say, per event, new or duplicate)
    replayed,     // the replay token was seen before: nothing done
    unavailable,  // the store could not commit: nothing stored, ask for a retry
};

struct CommitAnswer {
    CommitOutcome outcome = CommitOutcome::unavailable;
    std::vector<intake::IntakeResult> results;  // one per event, with committed
};

class EventCommitter {
  public:
    using ConfigSource = std::function<std::shared_ptr<const config::Config>()>;

    // `config` is asked before every batch, so a reload changes how events
    // are taken (CRM adapters, scopes) from the next batch on. The store is
    // opened on first use and again after a failure.
    explicit EventCommitter(ConfigSource config, std::size_t max_batch = 128);
    ~EventCommitter();  // answers what is queued, then stops
    EventCommitter(const EventCommitter&) = delete;
    EventCommitter& operator=(const EventCommitter&) = delete;

    // Blocks until the submission's transaction committed or failed.
    CommitAnswer commit(Submission submission);

  private:
    struct Pending;
    // Shared with the waiting request: it may wake and return the moment
    // its answer is set, while the committer still holds the pointer.
    using Batch = std::vector<std::shared_ptr<Pending>>;
    void run();
    void commit_batch(Batch& batch);
    // Marks replayed submissions; the rest go into the transaction.
    void sort_out_replays(Batch& batch);
    void take_events(Batch& batch);
    void remember_tokens(const Batch& batch);
    void prepare_intake();

    ConfigSource config_source_;
    std::size_t max_batch_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::shared_ptr<Pending>> queue_;
    bool stopping_ = false;

    // Only the committer thread touches these.
    std::shared_ptr<const config::Config> config_in_use_;
    std::unique_ptr<store::Store> store_;
    std::unique_ptr<intake::Intake> intake_;

    std::thread thread_;  // last: starts after everything above exists
};

}  // namespace fbl::web
