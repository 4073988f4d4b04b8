#include "crm/http_engine.h"

#include <stdexcept>
#include <string_view>

#include "common/text.h"

namespace fbl::crm {
namespace {

struct CurlGlobal {
    CurlGlobal() { curl_global_init(CURL_GLOBAL_DEFAULT); }
};

void ensure_curl_initialised() {
    static CurlGlobal global;
}

bool header_is(std::string_view line, std::string_view name) {
    if (line.size() <= name.size() || line[name.size()] != ':') {
        return false;
    }
    return text::iequals(line.substr(0, name.size()), name);
}

}  // namespace

struct HttpEngine::Transfer {
    HttpRequest request;
    Callback done;
    HttpResponse response;
    curl_slist* headers = nullptr;
    char error[CURL_ERROR_SIZE] = {};

    ~Transfer() { curl_slist_free_all(headers); }

    static size_t on_body(char* data, size_t size, size_t count, void* self) {
        auto& body = static_cast<Transfer*>(self)->response.body;
        auto bytes = size * count;
        if (body.size() < kMaxBody) {
            body.append(data, std::min(bytes, kMaxBody - body.size()));
        }
        return bytes;
    }

    static size_t on_header(char* data, size_t size, size_t count, void* self) {
        auto bytes = size * count;
        std::string_view line(data, bytes);
        if (header_is(line, "retry-after")) {
            auto value = line.substr(std::string_view("retry-after:").size());
            while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) {
                value.remove_suffix(1);
            }
            static_cast<Transfer*>(self)->response.retry_after = std::string(value);
        }
        return bytes;
    }
};

HttpEngine::HttpEngine() {
    ensure_curl_initialised();
    multi_ = curl_multi_init();
    if (multi_ == nullptr) {
        throw std::runtime_error("curl_multi_init failed");
    }
    curl_multi_setopt(multi_, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
}

HttpEngine::~HttpEngine() {
    for (auto& [easy, transfer] : transfers_) {
        curl_multi_remove_handle(multi_, easy);
        curl_easy_cleanup(easy);
    }
    for (auto* easy : idle_handles_) {
        curl_easy_cleanup(easy);
    }
    curl_multi_cleanup(multi_);
}

void HttpEngine::submit(HttpRequest request, Callback done) {
    CURL* easy = nullptr;
    if (!idle_handles_.empty()) {
        easy = idle_handles_.back();
        idle_handles_.pop_back();
        curl_easy_reset(easy);
    } else {
        easy = curl_easy_init();
        if (easy == nullptr) {
            throw std::runtime_error("curl_easy_init failed");
        }
    }
    auto transfer = std::make_unique<Transfer>();
    transfer->request = std::move(request);
    transfer->done = std::move(done);
    const auto& r = transfer->request;
    for (const auto& header : r.headers) {
        transfer->headers = curl_slist_append(transfer->headers, header.c_str());
    }
    // libcurl adds "Expect: 100-continue" to larger bodies; CRMs do not need the round trip.
    transfer->headers = curl_slist_append(transfer->headers, "Expect:");

    curl_easy_setopt(easy, CURLOPT_URL, r.url.c_str());
    curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, r.method.c_str());
    if (r.method == "GET") {
        curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
    } else if (!r.body.empty() || r.method != "DELETE") {
        curl_easy_setopt(easy, CURLOPT_POSTFIELDS, r.body.data());
        curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE, static_cast<long>(r.body.size()));
    }
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, transfer->headers);
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 2L);
    if (!r.ca_file.empty()) {
        curl_easy_setopt(easy, CURLOPT_CAINFO, r.ca_file.c_str());
    }
    if (!r.ca_path.empty()) {
        curl_easy_setopt(easy, CURLOPT_CAPATH, r.ca_path.c_str());
    }
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(r.connect_timeout.count()));
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(r.total_timeout.count()));
    curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &Transfer::on_body);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, transfer.get());
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &Transfer::on_header);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, transfer.get());
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, transfer->error);
    curl_easy_setopt(easy, CURLOPT_USERAGENT, "fblmilter-crm/1");
    if (!r.basic_user.empty()) {
        curl_easy_setopt(easy, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
        curl_easy_setopt(easy, CURLOPT_USERNAME, r.basic_user.c_str());
        curl_easy_setopt(easy, CURLOPT_PASSWORD, r.basic_password.c_str());
    }

    transfers_.emplace(easy, std::move(transfer));
    if (auto code = curl_multi_add_handle(multi_, easy); code != CURLM_OK) {
        transfers_.erase(easy);
        curl_easy_cleanup(easy);
        throw std::runtime_error(std::string("curl_multi_add_handle: ") +
                                 curl_multi_strerror(code));
    }
}

void HttpEngine::poll(std::chrono::milliseconds timeout) {
    int running = 0;
    curl_multi_perform(multi_, &running);
    if (running > 0 || transfers_.empty()) {
        curl_multi_poll(multi_, nullptr, 0, static_cast<int>(timeout.count()), nullptr);
        curl_multi_perform(multi_, &running);
    }
    int queued = 0;
    while (CURLMsg* message = curl_multi_info_read(multi_, &queued)) {
        if (message->msg == CURLMSG_DONE) {
            finish(message->easy_handle, message->data.result);
        }
    }
}

void HttpEngine::wakeup() {
    curl_multi_wakeup(multi_);
}

void HttpEngine::cancel_all() {
    for (auto& [easy, transfer] : transfers_) {
        curl_multi_remove_handle(multi_, easy);
        idle_handles_.push_back(easy);
    }
    transfers_.clear();
}

void HttpEngine::finish(CURL* easy, CURLcode result) {
    curl_multi_remove_handle(multi_, easy);
    auto node = transfers_.extract(easy);
    auto& transfer = *node.mapped();
    if (result == CURLE_OK) {
        curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &transfer.response.status);
    } else {
        transfer.response.status = 0;
        transfer.response.error =
            transfer.error[0] != '\0' ? transfer.error : curl_easy_strerror(result);
    }
    idle_handles_.push_back(easy);
    transfer.done(std::move(transfer.response));
}

}  // namespace fbl::crm
