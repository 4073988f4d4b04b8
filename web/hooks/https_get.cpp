#include "web/hooks/https_get.h"

#include <memory>

#include <curl/curl.h>

namespace fbl::web::hooks {
namespace {

struct CurlGlobal {
    CurlGlobal() { curl_global_init(CURL_GLOBAL_DEFAULT); }
};

struct CurlEasyFree {
    void operator()(CURL* easy) const { curl_easy_cleanup(easy); }
};

struct Sink {
    std::string body;
    std::size_t max_bytes = 0;
    bool overflowed = false;
};

// Returning less than given makes libcurl stop with CURLE_WRITE_ERROR.
std::size_t on_body(char* data, std::size_t size, std::size_t count, void* self) {
    auto& sink = *static_cast<Sink*>(self);
    auto bytes = size * count;
    if (bytes > sink.max_bytes - sink.body.size()) {
        sink.overflowed = true;
        return 0;
    }
    sink.body.append(data, bytes);
    return bytes;
}

}  // namespace

std::optional<std::string> https_get(const std::string& url, const HttpsGetLimits& limits) {
    if (!url.starts_with("https://")) {
        return std::nullopt;
    }
    static CurlGlobal global;
    std::unique_ptr<CURL, CurlEasyFree> easy(curl_easy_init());
    if (!easy) {
        return std::nullopt;
    }
    Sink sink;
    sink.max_bytes = limits.max_bytes;
    auto timeout_ms = static_cast<long>(
        std::chrono::duration_cast<std::chrono::milliseconds>(limits.timeout).count());
    CURL* handle = easy.get();
    curl_easy_setopt(handle, CURLOPT_URL, url.c_str());
    curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "https");
    curl_easy_setopt(handle, CURLOPT_REDIR_PROTOCOLS_STR, "https");
    curl_easy_setopt(handle, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(handle, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(handle, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);  // fblweb is threaded
    curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
    curl_easy_setopt(handle, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(limits.max_bytes));
    curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(handle, CURLOPT_WRITEDATA, &sink);
    if (curl_easy_perform(handle) != CURLE_OK || sink.overflowed) {
        return std::nullopt;
    }
    long status = 0;
    curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &status);
    if (status < 200 || status > 299) {
        return std::nullopt;
    }
    return std::move(sink.body);
}

}  // namespace fbl::web::hooks
