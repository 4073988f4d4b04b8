#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "milter/ports.h"
#include "store/store.h"

namespace fbl::milter {

// Records outgoing marketing mail without slowing the milter: callbacks put
// records in a bounded queue and return; one thread writes them in batches
// (one transaction each) and prunes records past the retention, and
// untrusted complaints past theirs (feedback.untrusted_retention), on the
// same hourly timer. When the queue is full, records are dropped and
// counted rather than delay mail.
class SendLogWriter final : public SendLog {
  public:
    // `untrusted_retention` 0 keeps untrusted complaints for ever.
    SendLogWriter(store::SendLogStore& store, store::ComplaintLog& complaints, std::size_t capacity,
                  std::chrono::seconds retention,
                  std::chrono::seconds untrusted_retention = std::chrono::seconds{0});
    ~SendLogWriter() override;

    void record(std::vector<store::SendRecord> records) override;

    void start();
    void stop();  // writes what is queued, then joins

    std::uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }
    std::uint64_t written() const { return written_.load(std::memory_order_relaxed); }

    static constexpr std::size_t kBatchSize = 1000;
    static constexpr std::chrono::milliseconds kFlushInterval{200};
    static constexpr std::chrono::minutes kPruneInterval{60};

  private:
    void run();
    void write(std::vector<store::SendRecord>& batch);
    void prune_if_due();

    store::SendLogStore& store_;
    store::ComplaintLog& complaints_;  // its untrusted rows are pruned here too
    const std::size_t capacity_;
    const std::chrono::seconds retention_;
    const std::chrono::seconds untrusted_retention_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<store::SendRecord> queue_;
    bool stopping_ = false;
    std::thread thread_;
    std::atomic<std::uint64_t> dropped_{0};
    std::atomic<std::uint64_t> written_{0};
    std::chrono::steady_clock::time_point last_prune_{};
};

}  // namespace fbl::milter
