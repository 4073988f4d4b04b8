#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

// One small GET to a URL a provider named (an SNS signing certificate, an
// SNS subscription confirmation), with libcurl.
namespace fbl::web::hooks {

struct HttpsGetLimits {
    std::chrono::seconds timeout{5};
    std::size_t max_bytes = 64 * 1024;
};

// The body of a 2xx answer, or nullopt: the URL must be https (libcurl is
// told so too, so nothing else is ever spoken), the server's certificate
// must verify against the system's CAs, a redirect is not followed, and an
// answer longer than max_bytes is dropped, not truncated.
std::optional<std::string> https_get(const std::string& url, const HttpsGetLimits& limits);

}  // namespace fbl::web::hooks
