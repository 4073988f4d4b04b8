#include "web/hooks/sns_url.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <string_view>

#include <curl/curl.h>

namespace fbl::web::hooks {
namespace {

constexpr std::size_t kMaxUrl = 2048;
constexpr std::size_t kMaxFileName = 128;
constexpr std::size_t kMinRegion = 3;
constexpr std::size_t kMaxRegion = 32;

bool is_ascii_alnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool plain_url_text(std::string_view url) {
    constexpr std::string_view kPunctuation = "-._~:/?&=%+";
    return std::all_of(url.begin(), url.end(), [&](char c) {
        return is_ascii_alnum(c) || kPunctuation.find(c) != std::string_view::npos;
    });
}

struct UrlParts {
    std::string scheme;
    std::string host;
    std::string path;
    std::optional<std::string> query;
    bool has_userinfo_port_or_fragment = false;
};

struct CurlUrlFree {
    void operator()(CURLU* url) const { curl_url_cleanup(url); }
};

std::optional<std::string> part_of(CURLU* url, CURLUPart part) {
    char* text = nullptr;
    if (curl_url_get(url, part, &text, 0) != CURLUE_OK || text == nullptr) {
        return std::nullopt;
    }
    std::string copy(text);
    curl_free(text);
    return copy;
}

// libcurl's own URL parser, so the host we check is the host it would connect to.
std::optional<UrlParts> parse(std::string_view url) {
    std::unique_ptr<CURLU, CurlUrlFree> handle(curl_url());
    std::string text(url);
    if (!handle || curl_url_set(handle.get(), CURLUPART_URL, text.c_str(), 0) != CURLUE_OK) {
        return std::nullopt;
    }
    UrlParts parts;
    parts.scheme = part_of(handle.get(), CURLUPART_SCHEME).value_or("");
    parts.host = part_of(handle.get(), CURLUPART_HOST).value_or("");
    parts.path = part_of(handle.get(), CURLUPART_PATH).value_or("");
    parts.query = part_of(handle.get(), CURLUPART_QUERY);
    for (CURLUPart part : {CURLUPART_USER, CURLUPART_PASSWORD, CURLUPART_OPTIONS, CURLUPART_PORT,
                           CURLUPART_FRAGMENT}) {
        parts.has_userinfo_port_or_fragment |= part_of(handle.get(), part).has_value();
    }
    return parts;
}

bool is_region(std::string_view label) {
    if (label.size() < kMinRegion || label.size() > kMaxRegion || label.front() == '-' ||
        label.back() == '-') {
        return false;
    }
    return std::all_of(label.begin(), label.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    });
}

// sns.<region>.amazonaws.com, in lower case, nothing before or after.
bool is_sns_host(std::string_view host) {
    constexpr std::string_view kPrefix = "sns.";
    constexpr std::string_view kSuffix = ".amazonaws.com";
    if (!host.starts_with(kPrefix) || !host.ends_with(kSuffix)) {
        return false;
    }
    host.remove_prefix(kPrefix.size());
    host.remove_suffix(kSuffix.size());
    return is_region(host);
}

bool is_file_name(std::string_view name) {
    if (name.empty() || name.size() > kMaxFileName || name.front() == '.') {
        return false;
    }
    return std::all_of(name.begin(), name.end(), [](char c) {
        return is_ascii_alnum(c) || c == '-' || c == '_' || c == '.';
    });
}

bool is_confirm_query(std::string_view query) {
    constexpr std::string_view kAction = "Action=ConfirmSubscription";
    while (!query.empty()) {
        auto end = query.find('&');
        if (query.substr(0, end) == kAction) {
            return true;
        }
        query = end == std::string_view::npos ? std::string_view() : query.substr(end + 1);
    }
    return false;
}

std::string_view last_segment(std::string_view path) {
    auto slash = path.rfind('/');
    return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

}  // namespace

bool is_sns_url(std::string_view url, SnsUrlUse use) {
    if (url.size() > kMaxUrl || !url.starts_with("https://") || !plain_url_text(url)) {
        return false;
    }
    auto parts = parse(url);
    if (!parts || parts->scheme != "https" || parts->has_userinfo_port_or_fragment ||
        !is_sns_host(parts->host)) {
        return false;
    }
    switch (use) {
        case SnsUrlUse::signing_certificate:
            return !parts->query && parts->path.starts_with('/') && parts->path.ends_with(".pem") &&
                   is_file_name(last_segment(parts->path));
        case SnsUrlUse::subscribe:
            return parts->path == "/" && parts->query && is_confirm_query(*parts->query);
    }
    return false;
}

std::string certificate_file_name(std::string_view url) {
    if (!is_sns_url(url, SnsUrlUse::signing_certificate)) {
        return {};
    }
    return std::string(last_segment(parse(url)->path));
}

}  // namespace fbl::web::hooks
