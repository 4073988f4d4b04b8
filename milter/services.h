#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "common/metrics.h"
#include "config/config.h"
#include "crm/outbox_worker.h"
#include "milter/ports.h"
#include "milter/send_log_writer.h"
#include "store/store.h"
#include "suppression/lookup.h"

namespace fbl::milter {

// The long-lived parts behind the milter: the store, the RCPT-time lookup
// (in-memory index following the change feed) and the report intake. The
// store and index outlive config reloads; the intake reads the config in
// force.
class Services {
  public:
    explicit Services(const config::Config& config);
    ~Services();

    RecipientLookup& lookup();
    ReportIntake& intake();
    // Always present; the Runtime decides whether to use it (send_log.enabled).
    SendLog* send_log() { return send_log_.get(); }

    // Before start(): `changed` runs when another process re-keys the store
    // (suppression::ChangeFollower::watch_key_settings).
    void follow_key_settings(std::string known,
                             std::function<void(const std::string& recorded)> changed);
    void start();
    void stop();
    void reconfigure(const config::Config& config);
    // Samples the gauges that cost a query; runs on the metrics HTTP thread.
    void refresh_metrics(metrics::Metrics& metrics);

  private:
    class IndexLookup;
    class StoreIntake;

    std::unique_ptr<store::Store> store_;
    std::unique_ptr<suppression::SuppressionLookup> suppression_lookup_;
    std::unique_ptr<IndexLookup> lookup_;
    std::unique_ptr<StoreIntake> intake_;
    std::unique_ptr<SendLogWriter> send_log_;
    std::mutex worker_mutex_;
    std::unique_ptr<crm::OutboxWorker> worker_;  // null when no adapter or not in daemon

    std::unique_ptr<crm::OutboxWorker> make_worker(const config::Config& config);
    void stop_worker();
    void wake_worker();
    void after_complaint();
};

}  // namespace fbl::milter
