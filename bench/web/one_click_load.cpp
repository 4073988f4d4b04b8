// Load for a running fblweb (issue 16, "Speed"): N distinct signed requests,
// C of them in flight at any moment over kept-alive connections (libcurl's
// multi interface), each request's latency recorded from the moment it is
// handed to libcurl to the moment its answer is complete.
//
// Default mode: RFC 8058 one-click POSTs to /u/<token>, tokens signed with
// the reference key for recipients r<i>@bench.example of one mailing.
// --mailgun-key-file: signed Mailgun "complained" webhooks to /hooks/mailgun.
//
// Every request is built before the clock starts, so signing is not
// measured. A non-200 answer (or a transport error, counted as status 0)
// makes the exit status 1.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <curl/curl.h>
#include <fmt/core.h>
#include <nlohmann/json.hpp>
#include <sys/resource.h>

#include "common/crypto.h"
#include "config/secret.h"
#include "feedback_loop/unsubscribe_token.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
    std::string url;  // "http://127.0.0.1:8891", no trailing slash
    std::string key_file;
    std::string key_id = "k1";
    std::string mailgun_key_file;  // set: Mailgun webhooks instead of one-click
    std::string mailing_id = "bench-mailing";
    std::size_t count = 10000;
    std::size_t concurrency = 32;
};

struct PreparedRequest {
    std::string url;
    std::string body;
};

struct Mode {
    std::string content_type;
    std::vector<PreparedRequest> requests;
};

std::string secret_from(const std::string& path) {
    auto file = fbl::config::read_secret_file(path);
    if (!file.problem.empty()) {
        throw std::runtime_error(path + ": " + file.problem);
    }
    return file.value;
}

std::string recipient(std::size_t index) {
    return fmt::format("r{}@bench.example", index);
}

Mode one_click_requests(const Options& options) {
    fbl::config::ReferenceKey key{options.key_id, fbl::config::Secret(secret_from(options.key_file),
                                                                      "file " + options.key_file)};
    fbl::feedback_loop::UnsubscribeSigner signer(key);
    const auto issued_at = std::chrono::duration_cast<std::chrono::seconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
    Mode mode{"application/x-www-form-urlencoded", {}};
    mode.requests.reserve(options.count);
    for (std::size_t i = 0; i < options.count; ++i) {
        std::string token = signer.sign({recipient(i), options.mailing_id, issued_at});
        mode.requests.push_back({options.url + "/u/" + token, "List-Unsubscribe=One-Click"});
    }
    return mode;
}

// The body Mailgun posts (web/hooks/mailgun.cpp reads it): the signature is
// hex HMAC-SHA256(signing key, timestamp + token); token and event id are
// distinct per request so none is a replay or a duplicate.
std::string mailgun_body(const std::string& signing_key, std::size_t index,
                         std::int64_t timestamp) {
    std::string stamp = std::to_string(timestamp);
    std::string token = fmt::format("bench{:016x}{:08x}", static_cast<std::uint64_t>(timestamp),
                                    static_cast<unsigned>(index));
    nlohmann::json body = {
        {"signature",
         {{"timestamp", stamp},
          {"token", token},
          {"signature", fbl::crypto::hex(fbl::crypto::hmac_sha256(signing_key, stamp + token))}}},
        {"event-data",
         {{"event", "complained"},
          {"recipient", recipient(index)},
          {"id", fmt::format("bench-event-{}-{}", timestamp, index)},
          {"timestamp", static_cast<double>(timestamp)},
          {"message",
           {{"headers", {{"message-id", fmt::format("<m{}@bench.example>", index)}}}}}}}};
    return body.dump();
}

Mode mailgun_requests(const Options& options) {
    std::string signing_key = secret_from(options.mailgun_key_file);
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    Mode mode{"application/json", {}};
    mode.requests.reserve(options.count);
    for (std::size_t i = 0; i < options.count; ++i) {
        mode.requests.push_back(
            {options.url + "/hooks/mailgun", mailgun_body(signing_key, i, now)});
    }
    return mode;
}

// This process's user + system time: it shares the machine with fblweb.
double cpu_seconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    auto seconds = [](const timeval& t) {
        return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
    };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

size_t discard_body(char*, size_t size, size_t count, void*) {
    return size * count;
}

// One connection's easy handle, reused request after request so libcurl
// keeps its connection alive.
struct Slot {
    CURL* easy = nullptr;
    curl_slist* headers = nullptr;
    Clock::time_point started;
};

struct Results {
    std::vector<double> latencies_ms;
    std::map<long, std::size_t> statuses;  // 0: transport error
    double wall_seconds = 0;
    double client_cpu_seconds = 0;  // this process, during the run only
};

class LoadRun {
  public:
    LoadRun(const Mode& mode, std::size_t concurrency)
        : mode_(mode), multi_(curl_multi_init()), slots_(concurrency) {
        curl_multi_setopt(multi_, CURLMOPT_MAXCONNECTS, static_cast<long>(concurrency));
        curl_multi_setopt(multi_, CURLMOPT_MAX_HOST_CONNECTIONS, static_cast<long>(concurrency));
        for (auto& slot : slots_) {
            slot.easy = curl_easy_init();
            slot.headers =
                curl_slist_append(nullptr, ("Content-Type: " + mode.content_type).c_str());
            curl_easy_setopt(slot.easy, CURLOPT_HTTPHEADER, slot.headers);
            curl_easy_setopt(slot.easy, CURLOPT_WRITEFUNCTION, &discard_body);
            curl_easy_setopt(slot.easy, CURLOPT_PRIVATE, &slot);
            curl_easy_setopt(slot.easy, CURLOPT_TIMEOUT, 60L);
            curl_easy_setopt(slot.easy, CURLOPT_NOSIGNAL, 1L);
        }
    }
    ~LoadRun() {
        for (auto& slot : slots_) {
            curl_multi_remove_handle(multi_, slot.easy);
            curl_easy_cleanup(slot.easy);
            curl_slist_free_all(slot.headers);
        }
        curl_multi_cleanup(multi_);
    }
    LoadRun(const LoadRun&) = delete;
    LoadRun& operator=(const LoadRun&) = delete;

    Results run() {
        results_.latencies_ms.reserve(mode_.requests.size());
        auto begin = Clock::now();
        double cpu_before = cpu_seconds();
        for (auto& slot : slots_) {
            start_next(slot);
        }
        int running = 1;
        while (running > 0) {
            curl_multi_perform(multi_, &running);
            collect_finished();  // starts the slot's next request at once
            running += still_to_start();
            if (running > 0) {
                curl_multi_poll(multi_, nullptr, 0, 100, nullptr);
            }
        }
        results_.wall_seconds = std::chrono::duration<double>(Clock::now() - begin).count();
        results_.client_cpu_seconds = cpu_seconds() - cpu_before;
        return std::move(results_);
    }

  private:
    int still_to_start() const { return next_ < mode_.requests.size() ? 1 : 0; }

    void start_next(Slot& slot) {
        if (next_ >= mode_.requests.size()) {
            return;
        }
        const PreparedRequest& request = mode_.requests[next_++];
        curl_easy_setopt(slot.easy, CURLOPT_URL, request.url.c_str());
        curl_easy_setopt(slot.easy, CURLOPT_POSTFIELDS, request.body.data());
        curl_easy_setopt(slot.easy, CURLOPT_POSTFIELDSIZE, static_cast<long>(request.body.size()));
        slot.started = Clock::now();
        curl_multi_add_handle(multi_, slot.easy);
    }

    void collect_finished() {
        int queued = 0;
        while (CURLMsg* message = curl_multi_info_read(multi_, &queued)) {
            if (message->msg != CURLMSG_DONE) {
                continue;
            }
            Slot* slot = nullptr;
            curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, &slot);
            auto elapsed = Clock::now() - slot->started;
            long status = 0;
            if (message->data.result == CURLE_OK) {
                curl_easy_getinfo(slot->easy, CURLINFO_RESPONSE_CODE, &status);
            }
            results_.statuses[status]++;
            results_.latencies_ms.push_back(
                std::chrono::duration<double, std::milli>(elapsed).count());
            curl_multi_remove_handle(multi_, slot->easy);
            start_next(*slot);
        }
    }

    const Mode& mode_;
    CURLM* multi_;
    std::vector<Slot> slots_;
    std::size_t next_ = 0;
    Results results_;
};

double percentile(const std::vector<double>& sorted, double fraction) {
    if (sorted.empty()) {
        return 0;
    }
    auto rank = static_cast<std::size_t>(fraction * static_cast<double>(sorted.size() - 1) + 0.5);
    return sorted[std::min(rank, sorted.size() - 1)];
}

// "key: value" lines, one per figure, for bench/web/run.sh to pick up.
bool report(Results results) {
    std::sort(results.latencies_ms.begin(), results.latencies_ms.end());
    const std::size_t requests = results.latencies_ms.size();
    fmt::print("requests: {}\n", requests);
    bool all_ok = true;
    for (const auto& [status, count] : results.statuses) {
        fmt::print("status {}: {}\n", status == 0 ? std::string("error") : std::to_string(status),
                   count);
        all_ok = all_ok && status == 200;
    }
    fmt::print("wall_s: {:.3f}\n", results.wall_seconds);
    fmt::print("requests_per_s: {:.0f}\n", static_cast<double>(requests) / results.wall_seconds);
    fmt::print("p50_ms: {:.2f}\n", percentile(results.latencies_ms, 0.50));
    fmt::print("p99_ms: {:.2f}\n", percentile(results.latencies_ms, 0.99));
    fmt::print("max_ms: {:.2f}\n", results.latencies_ms.empty() ? 0 : results.latencies_ms.back());
    fmt::print("client_cpu_s: {:.2f}\n", results.client_cpu_seconds);
    return all_ok;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"bench_web_load - one-click (or Mailgun webhook) load for a running fblweb"};
    Options options;
    app.add_option("--url", options.url, "fblweb's base URL, e.g. http://127.0.0.1:8891")
        ->required();
    auto* key_file = app.add_option("--key-file", options.key_file,
                                    "reference key file (feedback.reference_header.keys)");
    app.add_option("--key-id", options.key_id, "the key's id")->capture_default_str();
    auto* mailgun = app.add_option("--mailgun-key-file", options.mailgun_key_file,
                                   "Mailgun signing key file: post webhooks instead");
    key_file->excludes(mailgun);
    app.add_option("--mailing", options.mailing_id, "mailing id in every token")
        ->capture_default_str();
    app.add_option("-n,--count", options.count, "requests, each distinct")
        ->capture_default_str()
        ->check(CLI::Range(1, 10000000));
    app.add_option("-c,--concurrency", options.concurrency, "requests in flight")
        ->capture_default_str()
        ->check(CLI::Range(1, 1024));
    CLI11_PARSE(app, argc, argv);
    if (options.key_file.empty() && options.mailgun_key_file.empty()) {
        std::cerr << "give --key-file (one-click) or --mailgun-key-file (webhooks)\n";
        return 2;
    }
    while (options.url.ends_with('/')) {
        options.url.pop_back();
    }
    try {
        Mode mode = options.mailgun_key_file.empty() ? one_click_requests(options)
                                                     : mailgun_requests(options);
        curl_global_init(CURL_GLOBAL_DEFAULT);
        bool all_ok = report(LoadRun(mode, options.concurrency).run());
        curl_global_cleanup();
        return all_ok ? 0 : 1;
    } catch (const std::exception& error) {
        std::cerr << "bench_web_load: " << error.what() << '\n';
        return 2;
    }
}
