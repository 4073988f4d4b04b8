#include "milter/services.h"

#include <atomic>
#include <functional>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "common/log.h"
#include "common/metrics.h"
#include "intake/intake.h"
#include "intake/summary.h"
#include "store/rekey.h"

namespace fbl::milter {

class Services::IndexLookup final : public RecipientLookup {
  public:
    explicit IndexLookup(suppression::SuppressionLookup& lookup) : lookup_(lookup) {}
    // Answered from the index alone: never throws, never waits on the store.
    std::optional<store::Suppression> lookup(const std::string& key) override {
        auto started = std::chrono::steady_clock::now();
        auto entry = lookup_.lookup(key);
        metrics::global().lookup_finished(std::chrono::steady_clock::now() - started);
        if (!entry) {
            return std::nullopt;
        }
        store::Suppression found;
        found.key = key;
        found.scope = entry->scope;
        found.expires_at = entry->expires_at;
        return found;
    }

  private:
    suppression::SuppressionLookup& lookup_;
};

class Services::StoreIntake final : public ReportIntake {
  public:
    StoreIntake(const config::Config& config, store::Store& store, std::function<void()> on_stored)
        : store_(store), on_stored_(std::move(on_stored)) {
        reconfigure(config);
    }

    // The intake reads the config it was built with; a reload builds a new
    // pair and reports in flight finish with the old one.
    void reconfigure(const config::Config& config) {
        auto bound = std::make_shared<Bound>(config, store_);
        std::atomic_store(&bound_, std::move(bound));
        metrics::global().set_known_providers(config.feedback.reporter_domains);
    }

    IntakeOutcome take_in(std::string_view raw_message) override {
        auto bound = std::atomic_load(&bound_);
        intake::IntakeResult result;
        try {
            result = bound->intake.take(raw_message);
        } catch (const store::StoreUnavailable&) {
            metrics::global().store_error("record_complaint");
            throw;
        } catch (const intake::TemporaryTrustFailure& failure) {
            // Nothing was stored: answered like a store outage (4xx), so the
            // provider delivers the report again once the DKIM keys resolve.
            throw store::StoreUnavailable(std::string("trust cannot be decided now: ") +
                                          failure.what());
        }
        count(result);
        if (result.suppressed > 0 || result.jobs > 0) {
            on_stored_();
        }
        return outcome_of(result);
    }

  private:
    struct Bound {
        Bound(const config::Config& settings, store::Store& store)
            : config(settings), intake(config, store) {}
        config::Config config;
        intake::Intake intake;
    };

    static void count(const intake::IntakeResult& result) {
        if (!result.stored) {
            return;  // not a report, or nothing to record
        }
        metrics::global().report_received(result.provider, result.trusted, result.resolved);
        if (result.suppressed > 0) {
            metrics::global().recipient_suppressed(static_cast<std::uint64_t>(result.suppressed));
        }
    }

    static IntakeOutcome outcome_of(const intake::IntakeResult& result) {
        IntakeOutcome outcome;
        outcome.is_report = result.kind != intake::ReportKind::not_a_report;
        outcome.summary = intake::summary(result);
        outcome.log_summary = intake::log_summary(result);
        return outcome;
    }

    store::Store& store_;
    std::function<void()> on_stored_;
    std::shared_ptr<Bound> bound_;
};

namespace {

// Before the index is built from the keys: a normalisation change since the
// last start re-keys the store, so every suppression still matches.
std::unique_ptr<store::Store> open_realigned_store(const config::Config& config) {
    auto store = store::open_store(config.store);
    auto realignment =
        store::realign_keys(*store, suppression::AddressNormalizer(config.suppression));
    if (realignment.rekeyed && realignment.before.recorded) {
        log::notice("store: {}", store::describe(realignment));
    } else if (realignment.rekeyed) {
        log::info("store: {}", store::describe(realignment));
    }
    return store;
}

}  // namespace

Services::Services(const config::Config& config)
    : store_(open_realigned_store(config)),
      suppression_lookup_(
          std::make_unique<suppression::SuppressionLookup>(*store_, config.store.follow_interval)),
      lookup_(std::make_unique<IndexLookup>(*suppression_lookup_)),
      intake_(std::make_unique<StoreIntake>(config, *store_, [this] { after_complaint(); })),
      send_log_(std::make_unique<SendLogWriter>(*store_, *store_, config.send_log.queue_capacity,
                                                config.send_log.retention,
                                                config.feedback.untrusted_retention)),
      worker_(make_worker(config)) {}

Services::~Services() {
    stop();
}

RecipientLookup& Services::lookup() {
    return *lookup_;
}
ReportIntake& Services::intake() {
    return *intake_;
}

void Services::refresh_metrics(metrics::Metrics& metrics) {
    metrics.set_index_entries(suppression_lookup_->index().size());
    try {
        std::vector<metrics::OutboxDepth> depth;
        for (const auto& count : store_->outbox_counts()) {
            depth.push_back({count.adapter, store::to_string(count.state),
                             static_cast<std::uint64_t>(count.jobs)});
        }
        metrics.set_outbox_depth(depth);
    } catch (const std::exception& error) {
        metrics.store_error("metrics_refresh");
        log::warning("metrics: outbox depth not sampled: {}", error.what());
    }
}

void Services::follow_key_settings(std::string known,
                                   std::function<void(const std::string& recorded)> changed) {
    suppression_lookup_->follower().watch_key_settings(*store_, std::move(known),
                                                       std::move(changed));
}

void Services::start() {
    suppression_lookup_->start();
    send_log_->start();
    std::lock_guard lock(worker_mutex_);
    if (worker_) {
        worker_->start();
    }
}

void Services::stop() {
    stop_worker();
    send_log_->stop();
    suppression_lookup_->stop();
}

void Services::reconfigure(const config::Config& config) {
    // Built first: a config whose adapters cannot be built is refused
    // before anything changes.
    auto fresh = make_worker(config);
    intake_->reconfigure(config);
    stop_worker();
    std::lock_guard lock(worker_mutex_);
    worker_ = std::move(fresh);
    if (worker_) {
        worker_->start();
    }
}

std::unique_ptr<crm::OutboxWorker> Services::make_worker(const config::Config& config) {
    bool has_jobs = !config.crm.adapters.empty() || config.webhooks.mailgun.lift_blanket_stops;
    if (!config.crm.worker_in_daemon || !has_jobs) {
        return nullptr;
    }
    return std::make_unique<crm::OutboxWorker>(config, *store_);
}

void Services::stop_worker() {
    std::unique_ptr<crm::OutboxWorker> worker;
    {
        std::lock_guard lock(worker_mutex_);
        worker = std::move(worker_);
    }
    if (worker) {
        worker->stop();
    }
}

void Services::after_complaint() {
    try {
        suppression_lookup_->follower().catch_up();
    } catch (const std::exception& error) {
        // The follower's thread retries; the complaint itself is committed.
        log::warning("index not updated at once after a complaint: {}", error.what());
    }
    wake_worker();
}

void Services::wake_worker() {
    std::lock_guard lock(worker_mutex_);
    if (worker_) {
        worker_->notify();
    }
}

}  // namespace fbl::milter
