#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <curl/curl.h>

// Many HTTP requests in flight on one thread, with libcurl's multi interface.
// Connections (and HTTP/2 streams where the server offers h2) are reused
// across requests to the same host.
namespace fbl::crm {

struct HttpRequest {
    std::string method = "GET";
    std::string url;
    std::vector<std::string> headers;  // "Name: value"
    std::string body;
    std::chrono::milliseconds connect_timeout{10000};
    std::chrono::milliseconds total_timeout{30000};
    std::string ca_file;  // empty = system default
    std::string ca_path;
    // HTTP Basic credentials, sent by libcurl; empty user = none.
    std::string basic_user;
    std::string basic_password;
};

struct HttpResponse {
    long status = 0;          // 0 = no HTTP answer
    std::string error;        // libcurl's message when status is 0
    std::string body;         // capped at kMaxBody bytes
    std::string retry_after;  // the Retry-After header, if any
};

class HttpEngine {
  public:
    using Callback = std::function<void(HttpResponse)>;
    static constexpr std::size_t kMaxBody = 256 * 1024;

    HttpEngine();
    ~HttpEngine();
    HttpEngine(const HttpEngine&) = delete;
    HttpEngine& operator=(const HttpEngine&) = delete;

    // Starts a request; `done` runs on the thread calling poll().
    void submit(HttpRequest request, Callback done);
    // Drives transfers for at most `timeout` (less when one finishes or
    // wakeup() is called), then runs the callbacks of finished requests.
    void poll(std::chrono::milliseconds timeout);
    // Makes a poll() in progress return early; safe from any thread.
    void wakeup();
    // Drops every request in flight without running its callback.
    void cancel_all();
    std::size_t in_flight() const { return transfers_.size(); }

  private:
    struct Transfer;
    void finish(CURL* easy, CURLcode result);

    CURLM* multi_;
    std::map<CURL*, std::unique_ptr<Transfer>> transfers_;
    std::vector<CURL*> idle_handles_;  // reused: keeps their DNS/TLS session caches warm
};

}  // namespace fbl::crm
