#include "common/metrics.h"

#include <charconv>
#include <limits>
#include <map>
#include <sstream>
#include <stdexcept>
#include <utility>

#include <arpa/inet.h>
#include <prometheus/collectable.h>
#include <prometheus/counter.h>
#include <prometheus/exposer.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/metric_family.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include "common/listen_address.h"
#include "common/text.h"
#include "fbl/version.h"

namespace fbl::metrics {
namespace {

using CounterFamily = prometheus::Family<prometheus::Counter>;
using GaugeFamily = prometheus::Family<prometheus::Gauge>;

const char* help_of(std::string_view name) {
    static const std::map<std::string_view, const char*> help{
        {names::reports_received, "Feedback reports parsed (duplicates included), by provider"},
        {names::reports_trusted,
         "Reports trusted (reference header, DKIM or trust: any), by provider"},
        {names::reports_untrusted, "Reports stored as untrusted, changing nothing, by provider"},
        {names::reports_unresolved, "Reports whose complained recipient could not be determined"},
        {names::recipients_suppressed, "Recipients put on the suppression list by reports"},
        {names::recipients_blocked,
         "Outgoing recipients stopped, by stage (rcpt: refused, eom: removed)"},
        {names::index_entries, "Addresses in the in-memory suppression index"},
        {names::outbox_jobs, "CRM outbox jobs, by adapter and state"},
        {names::crm_requests, "CRM jobs attempted, by adapter and result"},
        {names::send_log_dropped, "Send-log records dropped because the write queue was full"},
        {names::store_errors, "Store operations that failed, by operation"},
        {names::build_info, "fblmilter version, always 1"},
        {names::web_requests, "fblweb one-click and webhook requests, by endpoint and outcome"},
        {names::lookup_duration, "RCPT-time suppression lookups, by duration"},
    };
    return help.at(name);
}

CounterFamily& counter_family(prometheus::Registry& registry, const char* name) {
    return prometheus::BuildCounter().Name(name).Help(help_of(name)).Register(registry);
}

GaugeFamily& gauge_family(prometheus::Registry& registry, const char* name) {
    return prometheus::BuildGauge().Name(name).Help(help_of(name)).Register(registry);
}

// "arf.mail.yahoo.com" is yahoo.com; "notyahoo.com" is not.
bool is_same_or_subdomain(std::string_view domain, std::string_view parent) {
    if (parent.empty() || !domain.ends_with(parent)) {
        return false;
    }
    return domain.size() == parent.size() || domain[domain.size() - parent.size() - 1] == '.';
}

std::string label_value(std::string_view value) {
    return value.empty() ? std::string("unknown") : std::string(value);
}

// prometheus-cpp leaves out a labelled family until its first child; a
// scrape still shows its HELP and TYPE so dashboards and alerts can rely on
// every product metric being there from the start.
void add_empty_families(std::vector<prometheus::MetricFamily>& families) {
    struct Labelled {
        const char* name;
        prometheus::MetricType type;
    };
    static constexpr Labelled labelled[] = {
        {names::reports_received, prometheus::MetricType::Counter},
        {names::reports_trusted, prometheus::MetricType::Counter},
        {names::reports_untrusted, prometheus::MetricType::Counter},
        {names::reports_unresolved, prometheus::MetricType::Counter},
        {names::outbox_jobs, prometheus::MetricType::Gauge},
        {names::crm_requests, prometheus::MetricType::Counter},
        {names::store_errors, prometheus::MetricType::Counter},
        {names::web_requests, prometheus::MetricType::Counter},
    };
    for (const auto& [name, type] : labelled) {
        bool present = false;
        for (const auto& family : families) {
            present = present || family.name == name;
        }
        if (!present) {
            prometheus::MetricFamily empty;
            empty.name = name;
            empty.help = help_of(name);
            empty.type = type;
            families.push_back(std::move(empty));
        }
    }
}

}  // namespace

void LatencyHistogram::observe(std::chrono::nanoseconds duration) {
    const double seconds = std::chrono::duration<double>(duration).count();
    std::size_t bucket = 0;
    while (bucket < kLookupBuckets.size() && seconds > kLookupBuckets[bucket]) {
        ++bucket;
    }
    buckets_[bucket].fetch_add(1, std::memory_order_relaxed);
    auto nanoseconds = duration.count() < 0 ? 0 : static_cast<std::uint64_t>(duration.count());
    sum_nanoseconds_.fetch_add(nanoseconds, std::memory_order_relaxed);
}

LatencyHistogram::Snapshot LatencyHistogram::snapshot() const {
    Snapshot snapshot;
    std::uint64_t running = 0;
    for (std::size_t bucket = 0; bucket < kLookupBuckets.size(); ++bucket) {
        running += buckets_[bucket].load(std::memory_order_relaxed);
        snapshot.cumulative[bucket] = running;
    }
    snapshot.count = running + buckets_.back().load(std::memory_order_relaxed);
    snapshot.sum_seconds =
        static_cast<double>(sum_nanoseconds_.load(std::memory_order_relaxed)) / 1e9;
    return snapshot;
}

// The registered families and the label-free counters, created once so the
// hot paths only do an atomic add.
class Metrics::Families {
  public:
    explicit Families(prometheus::Registry& registry)
        : reports_received(counter_family(registry, names::reports_received)),
          reports_trusted(counter_family(registry, names::reports_trusted)),
          reports_untrusted(counter_family(registry, names::reports_untrusted)),
          reports_unresolved(counter_family(registry, names::reports_unresolved)),
          recipients_suppressed(counter_family(registry, names::recipients_suppressed).Add({})),
          blocked(counter_family(registry, names::recipients_blocked)),
          blocked_rcpt(blocked.Add({{"stage", "rcpt"}})),
          blocked_eom(blocked.Add({{"stage", "eom"}})),
          index_entries(gauge_family(registry, names::index_entries).Add({})),
          outbox_jobs(gauge_family(registry, names::outbox_jobs)),
          crm_requests(counter_family(registry, names::crm_requests)),
          send_log_dropped(counter_family(registry, names::send_log_dropped).Add({})),
          store_errors(counter_family(registry, names::store_errors)),
          web_requests(counter_family(registry, names::web_requests)) {
        gauge_family(registry, names::build_info).Add({{"version", kVersion}}).Set(1);
    }

    CounterFamily& reports_received;
    CounterFamily& reports_trusted;
    CounterFamily& reports_untrusted;
    CounterFamily& reports_unresolved;
    prometheus::Counter& recipients_suppressed;
    CounterFamily& blocked;
    prometheus::Counter& blocked_rcpt;
    prometheus::Counter& blocked_eom;
    prometheus::Gauge& index_entries;
    GaugeFamily& outbox_jobs;
    CounterFamily& crm_requests;
    prometheus::Counter& send_log_dropped;
    CounterFamily& store_errors;
    CounterFamily& web_requests;
    std::map<std::pair<std::string, std::string>, prometheus::Gauge*> outbox_samples;
};

Metrics::Metrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      families_(std::make_unique<Families>(*registry_)) {}

Metrics::~Metrics() = default;

prometheus::Counter& Metrics::labelled(CounterFamily& family, std::string_view label,
                                       std::string_view value) {
    return family.Add({{std::string(label), label_value(value)}});
}

void Metrics::set_known_providers(const std::vector<std::string>& domains) {
    std::vector<std::string> known;
    for (const std::string& domain : domains) {
        known.push_back(text::ascii_lower(domain));
    }
    std::lock_guard lock(providers_mutex_);
    known_providers_ = std::move(known);
}

std::string Metrics::provider_label(std::string_view provider) const {
    if (provider.empty()) {
        return "unknown";
    }
    std::string domain = text::ascii_lower(provider);
    for (std::string_view big : kBigProviders) {
        if (is_same_or_subdomain(domain, big)) {
            return std::string(big);
        }
    }
    std::lock_guard lock(providers_mutex_);
    for (const std::string& known : known_providers_) {
        if (is_same_or_subdomain(domain, known)) {
            return known;
        }
    }
    return "other";
}

void Metrics::report_received(std::string_view provider, bool trusted, bool resolved) {
    std::string label = provider_label(provider);
    labelled(families_->reports_received, "provider", label).Increment();
    labelled(trusted ? families_->reports_trusted : families_->reports_untrusted, "provider", label)
        .Increment();
    if (!resolved) {
        labelled(families_->reports_unresolved, "provider", label).Increment();
    }
}

void Metrics::recipient_suppressed(std::uint64_t count) {
    families_->recipients_suppressed.Increment(static_cast<double>(count));
}

void Metrics::recipient_blocked(BlockStage stage) {
    (stage == BlockStage::rcpt ? families_->blocked_rcpt : families_->blocked_eom).Increment();
}

void Metrics::lookup_finished(std::chrono::nanoseconds duration) {
    lookup_latency_.observe(duration);
}

void Metrics::set_index_entries(std::uint64_t entries) {
    families_->index_entries.Set(static_cast<double>(entries));
}

void Metrics::set_outbox_depth(const std::vector<OutboxDepth>& samples) {
    std::lock_guard lock(outbox_mutex_);
    for (auto& [labels, gauge] : families_->outbox_samples) {
        gauge->Set(0);
    }
    for (const auto& sample : samples) {
        auto key = std::make_pair(label_value(sample.adapter), label_value(sample.state));
        auto& gauge = families_->outbox_samples[key];
        if (gauge == nullptr) {
            gauge = &families_->outbox_jobs.Add({{"adapter", key.first}, {"state", key.second}});
        }
        gauge->Set(static_cast<double>(sample.jobs));
    }
}

void Metrics::crm_request(std::string_view adapter, std::string_view result) {
    families_->crm_requests
        .Add({{"adapter", label_value(adapter)}, {"result", label_value(result)}})
        .Increment();
}

void Metrics::web_request(std::string_view endpoint, std::string_view outcome) {
    families_->web_requests
        .Add({{"endpoint", label_value(endpoint)}, {"outcome", label_value(outcome)}})
        .Increment();
}

void Metrics::send_log_dropped(std::uint64_t count) {
    families_->send_log_dropped.Increment(static_cast<double>(count));
}

void Metrics::store_error(std::string_view operation) {
    labelled(families_->store_errors, "operation", operation).Increment();
}

void Metrics::on_scrape(std::function<void(Metrics&)> refresh) {
    std::lock_guard lock(refresh_mutex_);
    refresh_ = std::move(refresh);
}

std::vector<prometheus::MetricFamily> Metrics::collect() {
    {
        // One scrape samples at a time; a failing hook must not break the
        // endpoint, the gauges just keep their last values.
        std::lock_guard lock(refresh_mutex_);
        if (refresh_) {
            try {
                refresh_(*this);
            } catch (const std::exception&) {
                store_error("metrics_refresh");
            }
        }
    }
    auto families = registry_->Collect();
    add_empty_families(families);

    auto snapshot = lookup_latency_.snapshot();
    prometheus::ClientMetric sample;
    sample.histogram.sample_count = snapshot.count;
    sample.histogram.sample_sum = snapshot.sum_seconds;
    for (std::size_t bucket = 0; bucket < kLookupBuckets.size(); ++bucket) {
        sample.histogram.bucket.push_back({snapshot.cumulative[bucket], kLookupBuckets[bucket]});
    }
    sample.histogram.bucket.push_back({snapshot.count, std::numeric_limits<double>::infinity()});
    prometheus::MetricFamily histogram;
    histogram.name = names::lookup_duration;
    histogram.help = help_of(names::lookup_duration);
    histogram.type = prometheus::MetricType::Histogram;
    histogram.metric.push_back(std::move(sample));
    families.push_back(std::move(histogram));
    return families;
}

std::string Metrics::render() {
    return prometheus::TextSerializer().Serialize(collect());
}

Metrics& global() {
    static Metrics metrics;
    return metrics;
}

class Endpoint::RefreshingCollectable final : public prometheus::Collectable {
  public:
    explicit RefreshingCollectable(Metrics& metrics) : metrics_(metrics) {}
    std::vector<prometheus::MetricFamily> Collect() const override { return metrics_.collect(); }

  private:
    Metrics& metrics_;
};

Endpoint::Endpoint(Metrics& metrics, const std::string& listen)
    : collectable_(std::make_shared<RefreshingCollectable>(metrics)) {
    auto address = parse_listen(listen);
    std::string bind = address.host + ":" + std::to_string(address.port);
    try {
        exposer_ = std::make_unique<prometheus::Exposer>(bind, 1);
    } catch (const std::exception& error) {
        throw std::runtime_error("metrics.listen: cannot listen on " + bind + ": " + error.what());
    }
    exposer_->RegisterCollectable(collectable_);
}

Endpoint::~Endpoint() = default;

std::uint16_t Endpoint::port() const {
    auto ports = exposer_->GetListeningPorts();
    return ports.empty() ? 0 : static_cast<std::uint16_t>(ports.front());
}

std::unique_ptr<Endpoint> start_endpoint(Metrics& metrics, const std::string& listen) {
    if (listen.empty()) {
        return nullptr;
    }
    return std::make_unique<Endpoint>(metrics, listen);
}

}  // namespace fbl::metrics
