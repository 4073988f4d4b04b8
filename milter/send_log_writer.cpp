#include "milter/send_log_writer.h"

#include "common/log.h"
#include "common/metrics.h"

namespace fbl::milter {

SendLogWriter::SendLogWriter(store::SendLogStore& store, store::ComplaintLog& complaints,
                             std::size_t capacity, std::chrono::seconds retention,
                             std::chrono::seconds untrusted_retention)
    : store_(store),
      complaints_(complaints),
      capacity_(capacity),
      retention_(retention),
      untrusted_retention_(untrusted_retention) {}

SendLogWriter::~SendLogWriter() {
    stop();
}

void SendLogWriter::record(std::vector<store::SendRecord> records) {
    std::size_t refused = 0;
    bool batch_ready = false;
    {
        std::lock_guard lock(mutex_);
        for (auto& record : records) {
            if (queue_.size() >= capacity_) {
                ++refused;
                continue;
            }
            queue_.push_back(std::move(record));
        }
        batch_ready = queue_.size() >= kBatchSize;
    }
    if (refused > 0) {
        metrics::global().send_log_dropped(refused);
        // Log the first drop and then every 1000th, not one line per record.
        auto before = dropped_.fetch_add(refused, std::memory_order_relaxed);
        if (before == 0 || before / 1000 != (before + refused) / 1000) {
            log::warning("send log queue full: {} record(s) dropped so far", before + refused);
        }
    }
    if (batch_ready) {
        wake_.notify_one();
    }
}

void SendLogWriter::start() {
    std::lock_guard lock(mutex_);
    if (!thread_.joinable()) {
        stopping_ = false;
        thread_ = std::thread([this] { run(); });
    }
}

void SendLogWriter::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) {
        thread_.join();
    }
}

void SendLogWriter::run() {
    std::vector<store::SendRecord> batch;
    std::unique_lock lock(mutex_);
    for (;;) {
        wake_.wait_for(lock, kFlushInterval,
                       [this] { return stopping_ || queue_.size() >= kBatchSize; });
        bool stopping = stopping_;
        while (!queue_.empty() && batch.size() < kBatchSize) {
            batch.push_back(std::move(queue_.front()));
            queue_.pop_front();
        }
        lock.unlock();
        write(batch);
        prune_if_due();
        lock.lock();
        if (stopping && queue_.empty()) {
            return;
        }
    }
}

void SendLogWriter::write(std::vector<store::SendRecord>& batch) {
    if (batch.empty()) {
        return;
    }
    try {
        store_.record_sends(batch);
        written_.fetch_add(batch.size(), std::memory_order_relaxed);
    } catch (const std::exception& error) {
        // The send log helps attribution; mail never waits for it.
        dropped_.fetch_add(batch.size(), std::memory_order_relaxed);
        metrics::global().send_log_dropped(batch.size());
        metrics::global().store_error("send_log");
        log::warning("send log: {} record(s) not written: {}", batch.size(), error.what());
    }
    batch.clear();
}

void SendLogWriter::prune_if_due() {
    auto now = std::chrono::steady_clock::now();
    if (last_prune_ != std::chrono::steady_clock::time_point{} &&
        now - last_prune_ < kPruneInterval) {
        return;
    }
    last_prune_ = now;
    try {
        int pruned = store_.prune_sends(std::chrono::system_clock::now() - retention_);
        if (pruned > 0) {
            log::info("send log: {} record(s) older than the retention removed", pruned);
        }
    } catch (const std::exception& error) {
        log::warning("send log prune failed: {}", error.what());
    }
    if (untrusted_retention_.count() == 0) {
        return;
    }
    try {
        int pruned =
            complaints_.prune_untrusted(std::chrono::system_clock::now() - untrusted_retention_);
        if (pruned > 0) {
            log::info("{} untrusted complaint(s) older than feedback.untrusted_retention removed",
                      pruned);
        }
    } catch (const std::exception& error) {
        log::warning("untrusted complaint prune failed: {}", error.what());
    }
}

}  // namespace fbl::milter
