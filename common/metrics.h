#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/listen_address.h"

namespace prometheus {
class Counter;
class Exposer;
class Gauge;
class Registry;
struct MetricFamily;
template <typename T>
class Family;
}  // namespace prometheus

// fblmilter's Prometheus metrics, on prometheus-cpp (Debian's
// prometheus-cpp-dev): the library renders the text exposition and serves
// it (CivetWeb); this file only names the product's metrics and keeps the
// RCPT-time increments lock-free.
namespace fbl::metrics {

// Every metric the product exports; docs/operations.md explains each.
namespace names {
inline constexpr const char* reports_received = "fblmilter_reports_received_total";
inline constexpr const char* reports_trusted = "fblmilter_reports_trusted_total";
inline constexpr const char* reports_untrusted = "fblmilter_reports_untrusted_total";
inline constexpr const char* reports_unresolved = "fblmilter_reports_unresolved_total";
inline constexpr const char* recipients_suppressed = "fblmilter_recipients_suppressed_total";
inline constexpr const char* recipients_blocked = "fblmilter_recipients_blocked_total";
inline constexpr const char* index_entries = "fblmilter_suppression_index_entries";
inline constexpr const char* lookup_duration = "fblmilter_lookup_duration_seconds";
inline constexpr const char* outbox_jobs = "fblmilter_outbox_jobs";
inline constexpr const char* crm_requests = "fblmilter_crm_requests_total";
inline constexpr const char* send_log_dropped = "fblmilter_send_log_dropped_total";
inline constexpr const char* store_errors = "fblmilter_store_errors_total";
inline constexpr const char* build_info = "fblmilter_build_info";
inline constexpr const char* web_requests = "fblweb_requests_total";
}  // namespace names

// Where an outgoing recipient was stopped.
enum class BlockStage { rcpt, eom };

// Upper bounds (seconds) of the lookup latency histogram: the RCPT-time
// lookup is an in-memory probe, so the interesting range is 1 us .. 10 ms.
inline constexpr std::array<double, 10> kLookupBuckets{1e-6,  2.5e-6, 5e-6,   10e-6, 25e-6,
                                                       50e-6, 100e-6, 250e-6, 1e-3,  10e-3};

// One outbox depth sample: jobs of `adapter` in `state`.
struct OutboxDepth {
    std::string adapter;
    std::string state;  // pending | leased | done | dead
    std::uint64_t jobs = 0;
};

// A fixed-bucket histogram whose observe() is a few relaxed atomic adds, so
// milter threads never contend on it. Read only at scrape time.
class LatencyHistogram {
  public:
    void observe(std::chrono::nanoseconds duration);

    struct Snapshot {
        std::array<std::uint64_t, kLookupBuckets.size()> cumulative{};  // count <= bound
        std::uint64_t count = 0;
        double sum_seconds = 0;
    };
    Snapshot snapshot() const;

  private:
    std::array<std::atomic<std::uint64_t>, kLookupBuckets.size() + 1> buckets_{};  // last: +Inf
    std::atomic<std::uint64_t> sum_nanoseconds_{0};
};

// The product's metrics. Increments are safe from any thread. One instance
// per process is global(); tests make their own.
class Metrics {
  public:
    Metrics();
    ~Metrics();
    Metrics(const Metrics&) = delete;
    Metrics& operator=(const Metrics&) = delete;

    // A report was parsed (any outcome, duplicates included). `provider` is
    // the reporting domain ("" = unknown); it is counted under
    // provider_label(provider), never under the raw text a stranger wrote.
    void report_received(std::string_view provider, bool trusted, bool resolved);
    // The reporter domains the config trusts (feedback.reporter_domains);
    // with kBigProviders they are the only provider label values.
    void set_known_providers(const std::vector<std::string>& domains);
    // The known provider `provider` is (or is a subdomain of), lower-cased;
    // "unknown" for ""; "other" for everything else. A bounded set, so
    // reports from 10,000 made-up domains make one series, not 10,000.
    std::string provider_label(std::string_view provider) const;
    void recipient_suppressed(std::uint64_t count = 1);
    void recipient_blocked(BlockStage stage);
    void lookup_finished(std::chrono::nanoseconds duration);
    void set_index_entries(std::uint64_t entries);
    // Replaces every outbox depth sample; pairs not listed drop to 0.
    void set_outbox_depth(const std::vector<OutboxDepth>& samples);
    // `result`: success | retry | dead | error (see docs/operations.md).
    void crm_request(std::string_view adapter, std::string_view result);
    void send_log_dropped(std::uint64_t count = 1);
    // `operation`: lookup | record_complaint | follow | send_log | outbox
    void store_error(std::string_view operation);
    // fblweb: one request to a one-click or webhook endpoint. Both labels
    // come from fixed sets (web/web_outcome.h), never from request bytes.
    void web_request(std::string_view endpoint, std::string_view outcome);

    // Runs before every scrape, on the HTTP thread: the place to sample
    // gauges that cost a query (index size, outbox depth).
    void on_scrape(std::function<void(Metrics&)> refresh);

    // The Prometheus text exposition (format 0.0.4) of every metric.
    std::string render();

    // Runs the on_scrape hook, then samples every metric (what render()
    // and the HTTP endpoint serialise).
    std::vector<prometheus::MetricFamily> collect();

  private:
    class Families;

    prometheus::Counter& labelled(prometheus::Family<prometheus::Counter>& family,
                                  std::string_view label, std::string_view value);

    std::shared_ptr<prometheus::Registry> registry_;
    std::unique_ptr<Families> families_;
    LatencyHistogram lookup_latency_;
    std::mutex refresh_mutex_;
    std::function<void(Metrics&)> refresh_;
    std::mutex outbox_mutex_;
    mutable std::mutex providers_mutex_;
    std::vector<std::string> known_providers_;
};

// Mailbox providers that run feedback loops, always known as labels.
inline constexpr std::array<std::string_view, 24> kBigProviders{
    "aol.com",     "aol.net",      "att.net",     "bluewin.ch", "charter.net",   "comcast.net",
    "cox.net",     "fastmail.com", "free.fr",     "gmx.net",    "google.com",    "hotmail.com",
    "icloud.com",  "laposte.net",  "libero.it",   "mail.ru",    "microsoft.com", "orange.fr",
    "outlook.com", "seznam.cz",    "t-online.de", "web.de",     "yahoo.com",     "yandex.ru"};

// The process-wide metrics the daemon exports.
Metrics& global();

// The HTTP endpoint serving GET /metrics, on CivetWeb's own threads.
class Endpoint {
  public:
    // `listen`: "127.0.0.1:9890", "[::1]:9890", "localhost:9890"; port 0
    // picks a free one. Only loopback addresses are accepted: the endpoint has
    // no authentication. Throws std::invalid_argument for a bad or
    // non-loopback address, std::runtime_error when it cannot bind.
    Endpoint(Metrics& metrics, const std::string& listen);
    ~Endpoint();
    Endpoint(const Endpoint&) = delete;
    Endpoint& operator=(const Endpoint&) = delete;

    std::uint16_t port() const;

  private:
    class RefreshingCollectable;
    std::shared_ptr<RefreshingCollectable> collectable_;
    std::unique_ptr<prometheus::Exposer> exposer_;
};

// Starts the endpoint for `metrics.listen`; nullptr when it is "" (off).
std::unique_ptr<Endpoint> start_endpoint(Metrics& metrics, const std::string& listen);

}  // namespace fbl::metrics
