#include "config/loader.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <libpq-fe.h>
#include <unistd.h>

#include "common/listen_address.h"
#include "config/pattern.h"
#include "config/reader.h"
#include "config/socket_spec.h"

namespace fbl::config {
namespace {

std::string absolute(const std::string& path) {
    if (path.empty()) {
        return path;
    }
    return std::filesystem::absolute(path).lexically_normal().string();
}

bool looks_like_address(const std::string& text) {
    auto at = text.rfind('@');
    return at != std::string::npos && at > 0 && at + 1 < text.size();
}

void read_milter(MapReader reader, MilterSettings& milter) {
    reader.read("socket", milter.socket);
    std::string why;
    if (!SocketSpec::parse(milter.socket, &why)) {
        reader.error("socket", "'" + milter.socket + "': " + why);
    }
    reader.read_mode("socket_mode", milter.socket_mode);
    reader.read("user", milter.user);
    reader.read("group", milter.group);
    reader.read("pid_file", milter.pid_file);
    milter.pid_file = absolute(milter.pid_file);
    reader.read_duration("timeout", milter.timeout);
    reader.read_size("report_size_limit", milter.report_size_limit);
    if (milter.report_size_limit < 1024) {
        reader.error("report_size_limit", "must be at least 1KiB");
    }
    reader.read("backlog", milter.backlog, 1, 65535);
}

std::shared_ptr<const re2::RE2> compile(MapReader& reader, std::string_view key,
                                        const std::string& pattern) {
    std::string why;
    auto compiled = compile_pattern(pattern, why);
    if (!compiled) {
        reader.error(key, "regular expression '" + pattern + "' does not compile: " + why +
                              " (RE2 syntax: no backreferences, no lookaround)");
    }
    return compiled;
}

void read_marketing(MapReader reader, MarketingRules& rules) {
    reader.read("headers_present", rules.headers_present);
    reader.read("sender_domains", rules.sender_domains);
    reader.read("auth_users", rules.auth_users);
    if (!reader.has("header_matches")) {
        rules.header_matches.push_back(HeaderPattern{"Precedence", "^(bulk|list)$", nullptr});
        rules.header_matches.back().compiled =
            compile(reader, "header_matches", rules.header_matches.back().pattern);
    }
    reader.each("header_matches", [&](YAML::Node item, std::string path) {
        MapReader match(item, path, reader.diagnostics());
        HeaderPattern rule;
        match.read("header", rule.header);
        match.read("pattern", rule.pattern);
        if (rule.header.empty()) {
            match.error("header", "is required");
        }
        if (rule.pattern.empty()) {
            match.error("pattern", "is required");
        } else {
            rule.compiled = compile(match, "pattern", rule.pattern);
        }
        rules.header_matches.push_back(std::move(rule));
    });
}

void read_reply(MapReader reader, SmtpReply& reply) {
    reader.read("code", reply.code);
    reader.read("xcode", reply.xcode);
    reader.read("text", reply.text);
    if (reply.code.size() != 3 || reply.code[0] != '5' || !std::isdigit(reply.code[1]) ||
        !std::isdigit(reply.code[2])) {
        reader.error("code", "'" + reply.code + "' must be a 5xx SMTP reply code");
    }
    if (!reply.xcode.starts_with("5.")) {
        reader.error("xcode", "'" + reply.xcode + "' must be a 5.x.x enhanced status code");
    }
    if (reply.text.find_first_of("\r\n") != std::string::npos) {
        reader.error("text", "must be one line");
    }
}

void read_outbound(MapReader reader, OutboundSettings& outbound) {
    reader.read("authenticated", outbound.authenticated);
    std::vector<std::string> networks{"127.0.0.0/8", "::1/128"};
    reader.read("networks", networks);
    outbound.networks.clear();
    auto list = reader.node("networks");
    for (std::size_t i = 0; i < networks.size(); ++i) {
        if (auto network = Network::parse(networks[i])) {
            outbound.networks.push_back(*network);
        } else {
            reader.error_at(list.IsDefined() ? list[i] : list,
                            "networks[" + std::to_string(i) + "]",
                            "'" + networks[i] + "' is not an address or CIDR network");
        }
    }
    reader.read("daemon_names", outbound.daemon_names);
    reader.read_choice(
        "scope", outbound.scope,
        {{"all", EnforcementScope::all}, {"marketing", EnforcementScope::marketing}});
    read_marketing(reader.child("marketing"), outbound.marketing);
    read_reply(reader.child("reply"), outbound.reply);
    reader.read_choice(
        "non_smtpd", outbound.non_smtpd,
        {{"remove", NonSmtpdHandling::remove}, {"ignore", NonSmtpdHandling::ignore}});
    reader.read("mailing_id_headers", outbound.mailing_id_headers);
}

void read_reference_header(MapReader reader, ReferenceHeader& header) {
    reader.read("name", header.name);
    if (header.name.empty() || header.name.find_first_of(": \t\r\n") != std::string::npos) {
        reader.error("name", "'" + header.name + "' is not a valid header field name");
    }
    std::set<std::string> ids;
    reader.each("keys", [&](YAML::Node item, std::string path) {
        MapReader key_reader(item, path, reader.diagnostics());
        ReferenceKey key;
        key_reader.read("id", key.id);
        key_reader.read_secret("key", key.key);
        if (key.id.empty()) {
            key_reader.error("id", "is required");
        } else if (!ids.insert(key.id).second) {
            key_reader.error("id", "duplicate key id '" + key.id + "'");
        }
        if (key.key.empty() && !key_reader.has("key_file") && !key_reader.has("key_env")) {
            key_reader.error("key_file", "is required (or key_env)");
        } else if (!key.key.empty() && key.key.reveal().size() < 16) {
            key_reader.error("key_file", "key must be at least 16 bytes");
        }
        header.keys.push_back(std::move(key));
    });
    reader.read("active_key", header.active_key);
    if (!header.active_key.empty() && !ids.contains(header.active_key)) {
        reader.error("active_key", "'" + header.active_key + "' is not one of the keys' ids");
    }
    reader.read_duration("max_age", header.max_age);
    if (header.max_age < Seconds{3600}) {
        reader.error("max_age", "must be at least 1h (providers report days after delivery)");
    }
}

// An Authentication-Results header that arrives with a report was written by
// whoever sent it (RFC 8601 section 5): fblmilter runs before any verifier.
// The key is accepted so an old config still loads, and ignored loudly.
void read_ignored_authserv_ids(MapReader& reader, std::vector<std::string>& warnings) {
    std::vector<std::string> ids;
    reader.read("trusted_authserv_ids", ids);
    if (!ids.empty()) {
        warnings.push_back(
            reader.path_of("trusted_authserv_ids") +
            " is ignored: an Authentication-Results header that comes with a report was written "
            "by its sender and proves nothing; fblmilter verifies the report's DKIM signature "
            "itself (docs/trust.md). Remove the key.");
    }
}

void read_feedback(MapReader reader, FeedbackSettings& feedback,
                   std::vector<std::string>& warnings) {
    reader.read("addresses", feedback.addresses);
    for (std::size_t i = 0; i < feedback.addresses.size(); ++i) {
        if (!looks_like_address(feedback.addresses[i])) {
            reader.error_at(reader.node("addresses")[i], "addresses[" + std::to_string(i) + "]",
                            "'" + feedback.addresses[i] + "' is not an e-mail address");
        }
    }
    reader.read("detect_by_content_type", feedback.detect_by_content_type);
    reader.read_choice("trust", feedback.trust,
                       {{"reference", TrustPolicy::reference},
                        {"dkim", TrustPolicy::dkim},
                        {"either", TrustPolicy::either},
                        {"any", TrustPolicy::any}});
    reader.read("reporter_domains", feedback.reporter_domains);
    read_ignored_authserv_ids(reader, warnings);
    reader.read("our_domains", feedback.our_domains);
    reader.read("max_recipients_per_report", feedback.max_recipients_per_report, 1, 1000);
    reader.read_duration("dkim_tempfail_for", feedback.dkim_tempfail_for);
    reader.read("dkim_key_file", feedback.dkim_key_file);
    read_reference_header(reader.child("reference_header"), feedback.reference_header);
    reader.read_choice("disposition", feedback.disposition,
                       {{"accept", ReportDisposition::accept},
                        {"discard", ReportDisposition::discard},
                        {"tag", ReportDisposition::tag}});
    reader.read_choice(
        "non_report", feedback.non_report,
        {{"accept", NonReportHandling::accept}, {"bounce", NonReportHandling::bounce}});
    reader.read_duration("untrusted_retention", feedback.untrusted_retention);
    reader.read_size("untrusted_raw_limit", feedback.untrusted_raw_limit);
    reader.read("verp_patterns", feedback.verp_patterns);
    for (std::size_t i = 0; i < feedback.verp_patterns.size(); ++i) {
        const auto& pattern = feedback.verp_patterns[i];
        if (pattern.find("{local}") == std::string::npos ||
            pattern.find("{domain}") == std::string::npos) {
            reader.error_at(reader.node("verp_patterns")[i],
                            "verp_patterns[" + std::to_string(i) + "]",
                            "'" + pattern + "' must contain {local} and {domain}");
        }
    }
}

// libpq's own parser, so a password is found in every form libpq takes:
// password=..., postgresql://user:password@host/db, ?password=...
std::string conninfo_problem(const std::string& conninfo) {
    char* message = nullptr;
    PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &message);
    if (options == nullptr) {
        std::string why = message ? message : "out of memory";
        PQfreemem(message);
        while (!why.empty() && why.back() == '\n') {
            why.pop_back();
        }
        return "is not a libpq connection string or URI: " + why;
    }
    bool has_password = false;
    for (auto* option = options; option->keyword != nullptr; ++option) {
        has_password |= std::strcmp(option->keyword, "password") == 0 && option->val != nullptr;
    }
    PQconninfoFree(options);
    return has_password ? "must not contain the password: use password_file or password_env" : "";
}

void read_store(MapReader reader, StoreSettings& store) {
    reader.read_choice("backend", store.backend,
                       {{"sqlite", StoreBackend::sqlite}, {"postgres", StoreBackend::postgres}});
    {
        auto sqlite = reader.child("sqlite");
        sqlite.read("path", store.sqlite.path);
        if (store.sqlite.path.empty()) {
            sqlite.error("path", "must not be empty");
        }
        store.sqlite.path = absolute(store.sqlite.path);
        sqlite.read_duration("busy_timeout", store.sqlite.busy_timeout);
    }
    {
        auto postgres = reader.child("postgres");
        postgres.read("conninfo", store.postgres.conninfo);
        postgres.read_secret("password", store.postgres.password);
        postgres.read_duration("connect_timeout", store.postgres.connect_timeout);
        postgres.read_duration("statement_timeout", store.postgres.statement_timeout);
        if (store.backend == StoreBackend::postgres && store.postgres.conninfo.empty()) {
            postgres.error("conninfo", "is required when store.backend is postgres");
        }
        if (auto problem = conninfo_problem(store.postgres.conninfo); !problem.empty()) {
            postgres.error("conninfo", problem);
        }
    }
    int follow_ms = static_cast<int>(store.follow_interval.count());
    reader.read("follow_interval_ms", follow_ms, 10, 10000);
    store.follow_interval = std::chrono::milliseconds(follow_ms);
}

// Expiry dates are system_clock time points (64-bit nanoseconds, which end
// in 2262): a longer expiry would wrap into the past and lift at once.
constexpr std::chrono::seconds kMaxExpiry = std::chrono::hours(24 * 36500);

void read_suppression(MapReader reader, SuppressionSettings& suppression) {
    reader.read("lowercase_local_part", suppression.lowercase_local_part);
    {
        auto subaddress = reader.child("subaddress");
        subaddress.read("domains", suppression.subaddress.domains);
        subaddress.read("delimiter", suppression.subaddress.delimiter);
        if (suppression.subaddress.delimiter.size() != 1) {
            subaddress.error("delimiter", "must be exactly one character");
        }
    }
    reader.read("gmail_dot_folding", suppression.gmail_dot_folding);
    std::string expiry = "never";
    reader.read("default_expiry", expiry);
    if (expiry != "never") {
        std::chrono::seconds duration{};
        reader.read_duration("default_expiry", duration);
        if (duration > kMaxExpiry) {
            reader.error("default_expiry", "'" + expiry +
                                               "' is beyond what an expiry date can hold: at "
                                               "most 36500d (100 years), or never");
        } else {
            suppression.default_expiry = duration;
        }
    }
    reader.read_choice(
        "complaint_scope", suppression.complaint_scope,
        {{"marketing", SuppressionScope::marketing}, {"all", SuppressionScope::all}});
}

void read_crm_step(MapReader reader, CrmStep& step) {
    reader.read("name", step.name);
    reader.read_choice("method", step.method,
                       {{"GET", HttpMethod::get},
                        {"POST", HttpMethod::post},
                        {"PUT", HttpMethod::put},
                        {"PATCH", HttpMethod::patch},
                        {"DELETE", HttpMethod::delete_}});
    reader.read("url", step.url);
    if (step.url.empty()) {
        reader.error("url", "is required");
    }
    reader.read("headers", step.headers);
    reader.read("body", step.body);
    reader.read_choice(
        "body_format", step.body_format,
        {{"json", BodyFormat::json}, {"form", BodyFormat::form}, {"text", BodyFormat::text}});
    reader.read("extract", step.extract);
    for (const auto& [variable, pointer] : step.extract) {
        if (!pointer.empty() && pointer.front() != '/') {
            reader.error("extract", variable + ": '" + pointer + "' is not a JSON Pointer");
        }
    }
    reader.read_choice("on_empty", step.on_empty,
                       {{"done", EmptyResult::done}, {"fail", EmptyResult::fail}});
    reader.read("success", step.success, 100, 599);
    reader.read("done", step.done, 100, 599);
}

void read_crm_adapter(MapReader reader, CrmAdapter& adapter) {
    reader.read("name", adapter.name);
    if (adapter.name.empty()) {
        reader.error("name", "is required");
    }
    reader.read("preset", adapter.preset);
    reader.read("settings", adapter.settings);
    {
        auto secrets = reader.child("secrets");
        if (auto node = reader.node("secrets"); node && node.IsMap()) {
            for (const auto& entry : node) {
                auto name = entry.first.Scalar();
                auto secret = secrets.child(name);
                Secret value;
                secret.read_secret("value", value);
                if (value.empty()) {
                    secret.error("value_file", "is required (or value_env)");
                }
                adapter.secrets[name] = std::move(value);
            }
        }
    }
    reader.each("steps", [&](YAML::Node item, std::string path) {
        CrmStep step;
        read_crm_step(MapReader(item, path, reader.diagnostics()), step);
        adapter.steps.push_back(std::move(step));
    });
    if (adapter.preset.empty() && adapter.steps.empty()) {
        reader.error("steps", "an adapter needs a preset or at least one step");
    }
    reader.read("rate_per_second", adapter.rate_per_second, 0.001, 100000);
    reader.read("concurrency", adapter.concurrency, 1, 1024);
    reader.read_duration("connect_timeout", adapter.connect_timeout);
    reader.read_duration("request_timeout", adapter.request_timeout);
    {
        auto retry = reader.child("retry");
        retry.read_duration("initial_delay", adapter.retry.initial_delay);
        retry.read_duration("max_delay", adapter.retry.max_delay);
        retry.read_duration("give_up_after", adapter.retry.give_up_after);
    }
    reader.read("idempotency_header", adapter.idempotency_header);
    reader.read("ca_file", adapter.ca_file);
    reader.read("ca_path", adapter.ca_path);
    reader.read("allow_insecure", adapter.allow_insecure);
}

void read_crm(MapReader reader, CrmSettings& crm) {
    std::set<std::string> names;
    reader.each("adapters", [&](YAML::Node item, std::string path) {
        CrmAdapter adapter;
        read_crm_adapter(MapReader(item, path, reader.diagnostics()), adapter);
        if (!adapter.name.empty() && !names.insert(adapter.name).second) {
            reader.diagnostics().add(item.Mark(), path + ".name",
                                     "duplicate adapter name '" + adapter.name + "'");
        }
        crm.adapters.push_back(std::move(adapter));
    });
    reader.read("worker_in_daemon", crm.worker_in_daemon);
    reader.read_duration("lease", crm.lease);
}

void read_send_log(MapReader reader, SendLogSettings& send_log) {
    reader.read("enabled", send_log.enabled);
    reader.read_duration("retention", send_log.retention);
    int capacity = static_cast<int>(send_log.queue_capacity);
    reader.read("queue_capacity", capacity, 16, 16 * 1024 * 1024);
    send_log.queue_capacity = static_cast<std::size_t>(capacity);
}

void read_logging(MapReader reader, LoggingSettings& logging) {
    reader.read_choice(
        "destination", logging.destination,
        {{"stderr", log::Destination::stderr_stream}, {"syslog", log::Destination::syslog}});
    reader.read_choice("level", logging.level,
                       {{"debug", log::Level::debug},
                        {"info", log::Level::info},
                        {"notice", log::Level::notice},
                        {"warning", log::Level::warning},
                        {"error", log::Level::error}});
    reader.read_choice("pii", logging.pii,
                       {{"plain", log::PiiMode::plain}, {"hashed", log::PiiMode::hashed}});
}

void read_metrics(MapReader reader, MetricsSettings& metrics) {
    reader.read("listen", metrics.listen);
    if (metrics.listen.empty()) {
        return;
    }
    // The same parser the daemon binds with, so --check-config refuses
    // exactly what would fail at start (including non-loopback addresses).
    if (auto problem = metrics::listen_problem(metrics.listen); !problem.empty()) {
        reader.error("listen", problem);
    }
}

// --- web: (fblweb) -------------------------------------------------------
// One group, so the other web: keys (public_url, ...) merge in one place.

void read_web_tls(MapReader reader, WebTls& tls) {
    reader.read("cert_file", tls.cert_file);
    reader.read("key_file", tls.key_file);
    if (tls.cert_file.empty() != tls.key_file.empty()) {
        reader.error(tls.cert_file.empty() ? "cert_file" : "key_file",
                     "cert_file and key_file go together: give both or neither");
    }
    tls.cert_file = absolute(tls.cert_file);
    tls.key_file = absolute(tls.key_file);
}

void read_web_listen(MapReader& reader, metrics::ListenAddress& listen) {
    std::string text = metrics::to_string(listen);
    reader.read("listen", text);
    try {
        listen = metrics::parse_any_listen(text);
    } catch (const std::invalid_argument& error) {
        reader.error("listen", error.what());
    }
}

// A list of addresses or CIDR networks at key, each refused with its index.
void read_networks(MapReader& reader, std::string_view key, std::vector<Network>& networks) {
    std::vector<std::string> texts;
    reader.read(key, texts);
    auto list = reader.node(key);
    for (std::size_t i = 0; i < texts.size(); ++i) {
        if (auto network = Network::parse(texts[i])) {
            networks.push_back(*network);
        } else {
            reader.error_at(list[i], std::string(key) + "[" + std::to_string(i) + "]",
                            "'" + texts[i] + "' is not an address or CIDR network");
        }
    }
}

// The base of every link we put in mail: a reader's client opens it as is,
// so it must be a plain http(s) URL our "/u/<token>" can be appended to.
std::string public_url_problem(const std::string& url) {
    std::string_view rest = url;
    if (rest.starts_with("https://")) {
        rest.remove_prefix(8);
    } else if (rest.starts_with("http://")) {
        rest.remove_prefix(7);
    } else {
        return "must start with https:// or http://";
    }
    if (rest.empty() || rest.front() == '/') {
        return "has no host";
    }
    for (char c : rest) {
        if (c == '?' || c == '#') {
            return "must have no query or fragment";
        }
        if (static_cast<unsigned char>(c) <= ' ' || static_cast<unsigned char>(c) >= 0x7f) {
            return "must be ASCII without blanks or control characters";
        }
    }
    return {};
}

void read_public_url(MapReader& reader, WebSettings& web) {
    reader.read("public_url", web.public_url);
    if (web.public_url.empty()) {
        return;
    }
    if (auto problem = public_url_problem(web.public_url); !problem.empty()) {
        reader.error("public_url", "'" + web.public_url + "' " + problem);
    }
    while (web.public_url.ends_with('/')) {
        web.public_url.pop_back();
    }
}

void read_console(MapReader reader, ConsoleSettings& console) {
    reader.read("enabled", console.enabled);
    std::string listen;
    reader.read("listen", listen);
    if (!listen.empty()) {
        try {
            console.listen = metrics::parse_any_listen(listen);
        } catch (const std::invalid_argument& error) {
            reader.error("listen", error.what());
        }
    }
    reader.read("users_file", console.users_file);
    console.users_file = absolute(console.users_file);
    reader.read_duration("session_idle", console.session_idle);
    reader.read_duration("session_lifetime", console.session_lifetime);
    if (console.session_idle.count() < 60 || console.session_lifetime < console.session_idle) {
        reader.error("session_idle", "must be at least 1m and no longer than session_lifetime");
    }
    std::string secure = "auto";
    reader.read("secure_cookie", secure);
    if (secure == "auto") {
        console.secure_cookie = SecureCookie::automatic;
    } else if (secure == "always") {
        console.secure_cookie = SecureCookie::always;
    } else if (secure == "never") {
        console.secure_cookie = SecureCookie::never;
    } else {
        reader.error("secure_cookie", "'" + secure + "' is not auto, always or never");
    }
    auto limit = reader.child("login_rate_limit");
    limit.read("per_second", console.login_per_second, 0.001, 1000);
    limit.read("burst", console.login_burst, 1, 10000);
}

void read_web(MapReader reader, WebSettings& web) {
    read_web_listen(reader, web.listen);
    reader.read("threads", web.threads, 1, 64);
    reader.read_duration("request_timeout", web.request_timeout);
    if (web.request_timeout.count() < 1) {
        reader.error("request_timeout", "must be at least 1s");
    }
    reader.read_size("max_body", web.max_body);
    constexpr std::uint64_t kMaxBodyCeiling = 1024ull * 1024 * 1024;
    if (web.max_body < 1024 || web.max_body > kMaxBodyCeiling) {
        reader.error("max_body", "must be between 1KiB and 1GiB");
    }
    read_web_tls(reader.child("tls"), web.tls);
    read_networks(reader, "trusted_proxies", web.trusted_proxies);
    read_public_url(reader, web);
    reader.read("max_commit_batch", web.max_commit_batch, 1, 10000);
    reader.read("metrics_listen", web.metrics_listen);
    if (!web.metrics_listen.empty()) {
        if (auto problem = metrics::listen_problem(web.metrics_listen); !problem.empty()) {
            reader.error("metrics_listen", problem);
        }
    }
    read_console(reader.child("console"), web.console);
    if (web.console.listen && web.console.listen->host == web.listen.host &&
        web.console.listen->port == web.listen.port) {
        reader.error("console", "listen: is web.listen; leave it empty to share that listener");
    }
}
// --- end of web: ------------------------------------------------------------

// "arn:aws:sns:<region>:<account>:<topic>": a typo here would refuse every
// real message as an unknown topic, so it is caught at load instead.
bool is_sns_topic_arn(const std::string& arn) {
    constexpr std::string_view kPrefix = "arn:aws";
    if (!arn.starts_with(kPrefix) || arn.size() > 256) {
        return false;
    }
    auto parts = std::count(arn.begin(), arn.end(), ':');
    return parts == 5 && arn.find(":sns:") != std::string::npos && !arn.ends_with(':');
}

void read_ses_webhook(MapReader reader, SesWebhook& ses) {
    reader.read("topic_arns", ses.topic_arns);
    auto list = reader.node("topic_arns");
    for (std::size_t i = 0; i < ses.topic_arns.size(); ++i) {
        if (!is_sns_topic_arn(ses.topic_arns[i])) {
            reader.error_at(
                list[i], "topic_arns[" + std::to_string(i) + "]",
                "'" + ses.topic_arns[i] +
                    "' is not an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>)");
        }
    }
    reader.read("certificate_dir", ses.certificate_dir);
    ses.certificate_dir = absolute(ses.certificate_dir);
    // Whether it can be read is fblweb's --check-config's (webhook_access_problems):
    // a web setting never keeps fblmilter from starting.
    reader.read_duration("max_age", ses.max_age);
    if (ses.max_age < Seconds{60} || ses.max_age > Seconds{86400}) {
        reader.error("max_age", "must be between 1m and 1d");
    }
}

// --- webhooks: ----------------------------------------------------------------

// The sending domain goes into API paths verbatim: a DNS name and nothing else.
bool is_domain_name(const std::string& name) {
    return !name.empty() && name.size() <= 253 && name.front() != '.' && name.front() != '-' &&
           std::all_of(name.begin(), name.end(), [](char c) {
               return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-';
           });
}

// The host of "host[:port][/path]": 127.0.0.1, [::1] or localhost.
bool is_loopback_host(std::string_view authority) {
    authority = authority.substr(0, authority.find('/'));
    auto host = authority.starts_with('[') ? authority.substr(0, authority.find(']') + 1)
                                           : authority.substr(0, authority.find(':'));
    return host == "127.0.0.1" || host == "[::1]" || host == "localhost";
}

// An API key over plain http travels in clear; only a loopback host (a test
// server, a proxy on this machine) is let through.
std::string api_base_problem(const std::string& url) {
    if (auto problem = public_url_problem(url); !problem.empty()) {
        return problem;
    }
    if (url.starts_with("http://") && !is_loopback_host(url.substr(7))) {
        return "is plain http: the API key would travel in clear (use https)";
    }
    return {};
}

// A public key is no secret: any mode will do, but it must be a P-256 key,
// found now rather than at SendGrid's first request. Messages name the
// file, never what it holds.
void read_sendgrid_key(MapReader& reader, SendGridWebhook& sendgrid) {
    constexpr std::size_t kMaxKeyFile = 64 * 1024;
    std::ifstream in(sendgrid.public_key_file, std::ios::binary);
    if (!in) {
        reader.error("public_key_file",
                     "'" + sendgrid.public_key_file + "' cannot be read: " + std::strerror(errno));
        return;
    }
    std::string text(kMaxKeyFile + 1, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    std::string problem;
    sendgrid.public_key = crypto::P256PublicKey::parse(text, problem);
    if (!sendgrid.public_key) {
        reader.error("public_key_file", "'" + sendgrid.public_key_file + "' " + problem);
    }
}

void read_sendgrid(MapReader reader, SendGridWebhook& sendgrid) {
    reader.read("public_key_file", sendgrid.public_key_file);
    sendgrid.public_key_file = absolute(sendgrid.public_key_file);
    if (!sendgrid.public_key_file.empty()) {
        read_sendgrid_key(reader, sendgrid);
    }
    reader.read_duration("max_age", sendgrid.max_age);
    if (sendgrid.max_age < Seconds{60} || sendgrid.max_age > Seconds{30 * 86400}) {
        reader.error("max_age", "must be between 1m and 30d");
    }
}

// RFC 7617: the user ends at the first ':', the password is the rest.
std::string credentials_problem(const std::string& credentials) {
    auto colon = credentials.find(':');
    if (colon == std::string::npos) {
        return "must hold one line user:password";
    }
    if (colon == 0 || colon + 1 == credentials.size()) {
        return "must hold a non-empty user and password as user:password";
    }
    for (char c : credentials) {
        if (static_cast<unsigned char>(c) < ' ' || c == 0x7f) {
            return "must hold one line user:password, without control characters";
        }
    }
    return {};
}

void read_mailgun_api(MapReader reader, MailgunApi& api) {
    reader.read("domain", api.domain);
    if (!api.domain.empty() && !is_domain_name(api.domain)) {
        reader.error("domain", "'" + api.domain + "' is not a domain name");
    }
    reader.read_secret("api_key", api.api_key);
    reader.read("base_url", api.base_url);
    if (auto problem = api_base_problem(api.base_url); !problem.empty()) {
        reader.error("base_url", "'" + api.base_url + "' " + problem);
    }
    while (api.base_url.ends_with('/')) {
        api.base_url.pop_back();
    }
}

// Read after crm:, whose adapter names the built-in "mailgun" adapter must not take.
void read_mailgun_hook(MapReader reader, const CrmSettings& crm, MailgunHookSettings& mailgun) {
    reader.read_secret("signing_key", mailgun.signing_key);
    reader.read_duration("max_age", mailgun.max_age);
    if (mailgun.max_age.count() < 60) {
        reader.error("max_age", "must be at least 1m");
    }
    read_mailgun_api(reader.child("api"), mailgun.api);
    reader.read("lift_blanket_stops", mailgun.lift_blanket_stops);
    if (!mailgun.lift_blanket_stops) {
        return;
    }
    if (!mailgun.api.configured()) {
        reader.error("lift_blanket_stops",
                     "needs api.domain and api.api_key_file: the stop is lifted through "
                     "Mailgun's API");
    }
    for (const auto& adapter : crm.adapters) {
        if (adapter.name == "mailgun") {
            reader.error("lift_blanket_stops",
                         "its outbox jobs use the adapter name 'mailgun', which crm.adapters "
                         "already has: rename that adapter");
        }
    }
}

void read_postmark(MapReader reader, PostmarkWebhook& postmark) {
    reader.read_secret("credentials", postmark.credentials);
    if (!postmark.credentials.empty()) {
        if (auto problem = credentials_problem(postmark.credentials.reveal()); !problem.empty()) {
            reader.error(
                postmark.credentials.file().empty() ? "credentials_env" : "credentials_file",
                postmark.credentials.origin() + " " + problem);
        }
    }
    read_networks(reader, "allowed_sources", postmark.allowed_sources);
}

void read_webhooks(MapReader reader, Config& config) {
    read_mailgun_hook(reader.child("mailgun"), config.crm, config.webhooks.mailgun);
    read_sendgrid(reader.child("sendgrid"), config.webhooks.sendgrid);
    read_postmark(reader.child("postmark"), config.webhooks.postmark);
    read_ses_webhook(reader.child("ses"), config.webhooks.ses);
}
// --- end of webhooks: -------------------------------------------------------
// Read after web: and feedback:, whose settings it needs.
void read_unsubscribe(MapReader reader, Config& config) {
    auto& unsubscribe = config.unsubscribe;
    reader.read("enabled", unsubscribe.enabled);
    reader.read_choice("add_headers", unsubscribe.add_headers,
                       {{"missing", UnsubscribeHeaders::missing},
                        {"always", UnsubscribeHeaders::always},
                        {"never", UnsubscribeHeaders::never}});
    reader.read_duration("token_lifetime", unsubscribe.token_lifetime);
    if (unsubscribe.token_lifetime < Seconds{86400}) {
        reader.error("token_lifetime", "must be at least 1d (people open mail days later)");
    }
    auto rate_limit = reader.child("rate_limit");
    rate_limit.read("per_second", unsubscribe.rate_limit.per_second, 0, 1e6);
    rate_limit.read("burst", unsubscribe.rate_limit.burst, 0, 1e7);
    if (!unsubscribe.enabled) {
        return;
    }
    if (config.web.public_url.empty()) {
        reader.error("enabled", "needs web.public_url: the unsubscribe link points there");
    }
    if (config.feedback.reference_header.active_key.empty()) {
        reader.error("enabled",
                     "needs feedback.reference_header.active_key: the unsubscribe token is "
                     "signed with it");
    }
}

void read_config(MapReader root, Config& config) {
    read_milter(root.child("milter"), config.milter);
    read_outbound(root.child("outbound"), config.outbound);
    read_feedback(root.child("feedback"), config.feedback, config.warnings);
    read_store(root.child("store"), config.store);
    read_suppression(root.child("suppression"), config.suppression);
    read_crm(root.child("crm"), config.crm);
    read_send_log(root.child("send_log"), config.send_log);
    read_logging(root.child("logging"), config.logging);
    {
        auto on_error = root.child("on_error");
        for (auto [key, target] :
             {std::pair{"internal", &config.on_error.internal},
              std::pair{"store_unavailable", &config.on_error.store_unavailable}}) {
            on_error.read_choice(key, *target,
                                 {{"tempfail", FailureAction::tempfail},
                                  {"accept", FailureAction::accept},
                                  {"reject", FailureAction::reject}});
        }
    }
    read_metrics(root.child("metrics"), config.metrics);
    {
        auto stats = root.child("stats");
        stats.read("warning_rate", config.stats.warning_rate, 0, 1);
        stats.read("critical_rate", config.stats.critical_rate, 0, 1);
        if (config.stats.warning_rate > config.stats.critical_rate) {
            stats.error("warning_rate", "must not be above critical_rate");
        }
    }
    read_web(root.child("web"), config.web);
    read_webhooks(root.child("webhooks"), config);
    read_unsubscribe(root.child("unsubscribe"), config);
}

}  // namespace

Config load_string(std::string_view yaml, const std::string& file_name) {
    Diagnostics diagnostics(file_name);
    YAML::Node document;
    try {
        document = YAML::Load(std::string(yaml));
    } catch (const YAML::Exception& error) {
        diagnostics.add(error.mark, "", error.msg);
        throw ConfigInvalid(std::move(diagnostics.errors()));
    }
    Config config;
    config.source_file = file_name;
    read_config(MapReader(document, "", diagnostics), config);
    if (!diagnostics.errors().empty()) {
        throw ConfigInvalid(std::move(diagnostics.errors()));
    }
    return config;
}

Config load_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw ConfigInvalid(
            {ConfigError{path, 0, 0, "", std::string("cannot read: ") + std::strerror(errno)}});
    }
    std::ostringstream content;
    content << in.rdbuf();
    return load_string(content.str(), path);
}

std::string default_path() {
    static const char* installed = "/etc/fblmilter/fblmilter.yaml";
    if (access(installed, R_OK) == 0) {
        return installed;
    }
    if (access("config/fblmilter.yaml", R_OK) == 0) {
        return "config/fblmilter.yaml";
    }
    return installed;
}

std::vector<std::string> warnings(const Config& config) {
    std::vector<std::string> found;
    if (config.feedback.trust == TrustPolicy::any) {
        found.push_back(
            "feedback.trust is 'any': every report is believed, so anyone who can mail a "
            "feedback address can suppress any recipient; use it for tests only");
    }
    return found;
}

}  // namespace fbl::config
