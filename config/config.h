#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/listen_address.h"
#include "common/log.h"
#include "common/p256_key.h"
#include "config/network.h"
#include "config/secret.h"

namespace re2 {
class RE2;
}

// The whole configuration of fblmilter, as loaded from one YAML file.
// Immutable once loaded: a reload builds a new Config and swaps the pointer.
namespace fbl::config {

using Seconds = std::chrono::seconds;

// What a failure maps to; turned into a milter return code in one place.
enum class FailureAction { tempfail, accept, reject };

struct MilterSettings {
    std::string socket = "inet:8890@127.0.0.1";
    unsigned socket_mode = 0660;  // for unix:/local: sockets
    std::string user;             // drop privileges to this user; empty = stay
    std::string group;
    std::string pid_file;
    Seconds timeout{60};  // libmilter read/write timeout towards the MTA
    std::uint64_t report_size_limit = 10 * 1024 * 1024;
    int backlog = 128;
};

enum class EnforcementScope { all, marketing };
enum class NonSmtpdHandling { remove, ignore };

struct HeaderPattern {
    std::string header;
    std::string pattern;  // RE2 syntax (config/pattern.h), searched case-insensitively
    std::shared_ptr<const re2::RE2> compiled;
};

// A message is marketing when ANY of these rules matches.
struct MarketingRules {
    std::vector<std::string> headers_present{"List-Unsubscribe", "X-Mailing-ID"};
    std::vector<HeaderPattern> header_matches;  // default: Precedence ^(bulk|list)$
    std::vector<std::string> sender_domains;
    std::vector<std::string> auth_users;
};

struct SmtpReply {
    std::string code = "550";
    std::string xcode = "5.7.1";
    std::string text = "<{rcpt}>: recipient has opted out of this mail";
};

struct OutboundSettings {
    bool authenticated = true;
    std::vector<Network> networks;  // default: 127.0.0.0/8, ::1/128
    std::vector<std::string> daemon_names;
    EnforcementScope scope = EnforcementScope::marketing;
    MarketingRules marketing;
    SmtpReply reply;
    NonSmtpdHandling non_smtpd = NonSmtpdHandling::remove;
    std::vector<std::string> mailing_id_headers{"X-Mailing-ID", "Feedback-ID"};
};

enum class TrustPolicy { reference, dkim, either, any };
enum class ReportDisposition { accept, discard, tag };
enum class NonReportHandling { accept, bounce };

struct ReferenceKey {
    std::string id;
    Secret key;
};

struct ReferenceHeader {
    std::string name = "X-FBL-Ref";
    std::vector<ReferenceKey> keys;
    std::string active_key;  // must name one of keys; empty = do not sign
    // A token older than this proves nothing any more (a replayed copy of old
    // mail); the default outlasts every provider's complaint delay.
    Seconds max_age{400 * 86400};
};

struct FeedbackSettings {
    std::vector<std::string> addresses;
    bool detect_by_content_type = false;
    TrustPolicy trust = TrustPolicy::either;
    std::vector<std::string> reporter_domains;  // DKIM d= trusted for reports
    // Domains we send from: a provider-signed report counts only when its
    // attached original is ours (this From/DKIM d=, our reference header, or
    // the send log).
    std::vector<std::string> our_domains;
    // No report suppresses more people than this; over it, it is kept for review.
    int max_recipients_per_report = 5;
    // How long a DKIM key lookup that fails temporarily tempfails the report
    // (by the report's age) before it is stored untrusted instead.
    Seconds dkim_tempfail_for{3 * 86400};
    std::string dkim_key_file;  // testing/offline only: DKIM keys from this file, not DNS
    ReferenceHeader reference_header;
    ReportDisposition disposition = ReportDisposition::accept;
    NonReportHandling non_report = NonReportHandling::accept;
    std::vector<std::string> verp_patterns;  // e.g. "bounces+{local}={domain}@example.com"
    // Untrusted complaints older than this are deleted (hourly); 0 = kept.
    Seconds untrusted_retention{90 * 86400};
    // An untrusted report up to this size is kept raw with its complaint, so
    // `fblctl complaints reevaluate` can check its signatures again; 0 = none.
    std::uint64_t untrusted_raw_limit = 256 * 1024;
};

enum class StoreBackend { sqlite, postgres };

struct SqliteSettings {
    std::string path = "var/fblmilter.db";
    Seconds busy_timeout{5};
};

struct PostgresSettings {
    std::string conninfo;
    Secret password;  // from password_file or password_env
    Seconds connect_timeout{5};
    Seconds statement_timeout{5};
};

struct StoreSettings {
    StoreBackend backend = StoreBackend::sqlite;
    SqliteSettings sqlite;
    PostgresSettings postgres;
    std::chrono::milliseconds follow_interval{250};  // change-feed poll period
};

enum class SuppressionScope { marketing, all };

struct SubaddressRule {
    std::vector<std::string> domains;  // empty = never strip
    std::string delimiter = "+";
};

struct SuppressionSettings {
    bool lowercase_local_part = true;
    SubaddressRule subaddress;
    bool gmail_dot_folding = false;
    std::optional<Seconds> default_expiry;  // nullopt = never expires
    SuppressionScope complaint_scope = SuppressionScope::marketing;
};

enum class HttpMethod { get, post, put, patch, delete_ };
enum class BodyFormat { json, form, text };
// What a step whose extraction found nothing means for the job.
enum class EmptyResult { done, fail };

// The method as it goes on the wire ("GET").
constexpr const char* method_name(HttpMethod method) {
    switch (method) {
        case HttpMethod::get:
            return "GET";
        case HttpMethod::post:
            return "POST";
        case HttpMethod::put:
            return "PUT";
        case HttpMethod::patch:
            return "PATCH";
        case HttpMethod::delete_:
            return "DELETE";
    }
    return "GET";
}

struct CrmStep {
    std::string name;
    HttpMethod method = HttpMethod::get;
    std::string url;
    std::map<std::string, std::string> headers;
    std::string body;
    BodyFormat body_format = BodyFormat::json;
    std::map<std::string, std::string> extract;  // variable -> JSON Pointer
    EmptyResult on_empty = EmptyResult::done;
    std::vector<int> success{200, 201, 202, 204};
    std::vector<int> done{404};  // answers that mean "already so"
};

struct RetryPolicy {
    Seconds initial_delay{30};
    Seconds max_delay{3600};
    Seconds give_up_after{72 * 3600};
};

struct CrmAdapter {
    std::string name;
    std::string preset;                           // empty = custom steps
    std::map<std::string, std::string> settings;  // preset parameters, template values
    std::map<std::string, Secret> secrets;
    std::vector<CrmStep> steps;
    double rate_per_second = 10;
    int concurrency = 4;
    Seconds connect_timeout{10};
    Seconds request_timeout{30};
    RetryPolicy retry;
    std::string idempotency_header = "Idempotency-Key";
    std::string ca_file;
    std::string ca_path;
    // Plain http:// URLs carry addresses and credentials in clear: refused
    // unless the adapter says so (a CRM on the same host, a test).
    bool allow_insecure = false;
};

struct CrmSettings {
    std::vector<CrmAdapter> adapters;
    bool worker_in_daemon = true;
    Seconds lease{300};
};

struct SendLogSettings {
    bool enabled = true;
    Seconds retention{30 * 86400};
    std::size_t queue_capacity = 65536;
};

struct LoggingSettings {
    log::Destination destination = log::Destination::stderr_stream;
    log::Level level = log::Level::info;
    log::PiiMode pii = log::PiiMode::plain;
};

struct OnErrorSettings {
    FailureAction internal = FailureAction::tempfail;
    FailureAction store_unavailable = FailureAction::tempfail;
};

struct MetricsSettings {
    std::string listen;  // "127.0.0.1:9890"; empty = off
};

// --- web: (fblweb) -------------------------------------------------------
// Kept together so the other web: keys (public_url, ...) merge in one place.

// Both files or neither: a certificate without its key cannot serve TLS.
struct WebTls {
    std::string cert_file;  // PEM; absolute after loading
    std::string key_file;
    bool enabled() const { return !cert_file.empty(); }
};

// When the console's session cookie carries Secure (web/console/session.h).
enum class SecureCookie {
    automatic,  // when fblweb serves TLS, or a trusted proxy says the client used https
    always,
    never,  // plain http on an internal network only
};

// The complaints console under /console/ (issue 17).
struct ConsoleSettings {
    bool enabled = false;  // the shipped example turns it on
    // Its own listener (the console belongs on an internal network); nullopt
    // = served on web.listen beside the public endpoints.
    std::optional<metrics::ListenAddress> listen;
    // One user per line, "name:crypt-hash:role" (fblctl user add).
    std::string users_file = "/etc/fblmilter/console-users";
    Seconds session_idle{3600};           // a session unused this long ends
    Seconds session_lifetime{12 * 3600};  // and every session ends after this
    SecureCookie secure_cookie = SecureCookie::automatic;
    // Failed logins per client (a token bucket): per second and burst.
    double login_per_second = 0.2;
    int login_burst = 10;
};

struct WebSettings {
    metrics::ListenAddress listen{"127.0.0.1", 8891};
    int threads = 8;                       // CivetWeb's worker pool
    Seconds request_timeout{10};           // a slow client is cut off after this
    std::uint64_t max_body = 1024 * 1024;  // larger requests get 413, body unread
    WebTls tls;
    // Peers whose X-Forwarded-For is believed (web/client_address.h).
    std::vector<Network> trusted_proxies;
    // Where people reach fblweb: the base of every link we put in mail.
    std::string public_url;  // "https://fbl.example.com", no trailing slash; empty = none
    // Group commit: at most this many requests share one transaction
    // (1 = a transaction per request, for comparison in bench/web).
    int max_commit_batch = 128;
    // fblweb's own Prometheus endpoint (fblmilter's is metrics.listen).
    std::string metrics_listen;  // "127.0.0.1:9891"; empty = off
    ConsoleSettings console;
};
// --- end of web: ------------------------------------------------------------

// Amazon SES feedback through Amazon SNS (POST /hooks/ses).
struct SesWebhook {
    // The SNS topics SES publishes our complaints to; empty = endpoint off.
    // A message from any other topic is refused, signed or not.
    std::vector<std::string> topic_arns;
    // SNS signing certificates placed here by the admin (named as the last
    // segment of SigningCertURL) are used without fetching; others are
    // fetched from sns.<region>.amazonaws.com. Empty = always fetch.
    std::string certificate_dir;
    // An SNS message older than this is stale: SNS signs once and retries
    // for at most an hour under any delivery policy.
    Seconds max_age{3600};
    bool enabled() const { return !topic_arns.empty(); }
};

// --- webhooks: (fblweb's ESP endpoints, and what we do at the ESP) -----------

// Mailgun's HTTP API, for lifting its blanket stops and importing its list.
struct MailgunApi {
    std::string domain;  // the sending domain, as in /v3/{domain}/...
    Secret api_key;      // from api_key_file (or api_key_env); HTTP Basic user "api"
    // No trailing slash. Plain http:// only to a loopback host (a test server).
    std::string base_url = "https://api.mailgun.net";
    bool configured() const { return !domain.empty() && !api_key.empty(); }
};

struct MailgunHookSettings {
    Secret signing_key;  // from signing_key_file: the webhook signing key
    // A signed timestamp older than this is refused (a replayed request).
    Seconds max_age{9 * 3600};
    MailgunApi api;
    // Mailgun's complaints list stops all mail from the domain to a complainer,
    // answers to their own support requests too. When true, after our
    // marketing-scoped suppression of a Mailgun complaint is committed, an
    // outbox job deletes the address from that list; marketing stays blocked
    // by the milter, and mail that bypasses fblmilter reaches them again.
    bool lift_blanket_stops = false;
};

// SendGrid's signed Event Webhook (web/hooks/sendgrid.h).
struct SendGridWebhook {
    std::string public_key_file;  // absolute after loading; empty = not configured
    // Loaded from public_key_file at load: a bad key fails the load, not a request.
    std::shared_ptr<const crypto::P256PublicKey> public_key;
    // SendGrid retries for 72 hours: the window covers it, plus an hour.
    Seconds max_age{73 * 3600};
};

// Postmark's webhooks, which carry HTTP Basic credentials (web/hooks/postmark.h).
struct PostmarkWebhook {
    Secret credentials;  // "user:password", from credentials_file; empty = not configured
    // Postmark's published webhook addresses, if the operator lists them; empty = any.
    std::vector<Network> allowed_sources;
};

struct WebhookSettings {
    SesWebhook ses;
    MailgunHookSettings mailgun;
    SendGridWebhook sendgrid;
    PostmarkWebhook postmark;
};
// --- end of webhooks: -------------------------------------------------------

struct StatsSettings {
    double warning_rate = 0.001;
    double critical_rate = 0.003;
};

// When the milter writes our RFC 8058 headers into marketing mail.
enum class UnsubscribeHeaders { missing, always, never };

struct UnsubscribeSettings {
    bool enabled = false;
    UnsubscribeHeaders add_headers = UnsubscribeHeaders::missing;
    // A person may press unsubscribe on a newsletter a year old; refusing
    // them would leave "spam" as the only button that works.
    Seconds token_lifetime{365 * 86400};
    // Per client address at /u/ (0 = off). High enough for a mailbox
    // provider POSTing many people's one-click unsubscribes from one
    // address; low enough that guessing tokens cannot keep the store busy.
    struct RateLimit {
        double per_second = 50;
        double burst = 500;
    } rate_limit;
};

struct Config {
    std::string source_file;  // the YAML file this came from
    // What loaded but deserves the admin's attention (e.g. a key that is
    // accepted and ignored); fblmilter logs each at start and reload.
    std::vector<std::string> warnings;
    MilterSettings milter;
    OutboundSettings outbound;
    FeedbackSettings feedback;
    StoreSettings store;
    SuppressionSettings suppression;
    CrmSettings crm;
    SendLogSettings send_log;
    LoggingSettings logging;
    OnErrorSettings on_error;
    MetricsSettings metrics;
    StatsSettings stats;
    WebSettings web;
    WebhookSettings webhooks;
    UnsubscribeSettings unsubscribe;
};

}  // namespace fbl::config
