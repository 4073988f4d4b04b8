#include "crm/mailgun_complaints.h"

#include <memory>
#include <set>

#include <curl/curl.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "crm/http_engine.h"
#include "crm/redactor.h"

namespace fbl::crm {
namespace {

using Json = nlohmann::json;

constexpr std::size_t kMessageShown = 200;

struct UrlParts {
    std::string scheme;
    std::string host;
    std::string port;
};

std::optional<UrlParts> url_parts(const std::string& url) {
    std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> handle(curl_url(), curl_url_cleanup);
    if (!handle || curl_url_set(handle.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) {
        return std::nullopt;
    }
    auto part = [&](CURLUPart which, unsigned flags) -> std::optional<std::string> {
        char* value = nullptr;
        if (curl_url_get(handle.get(), which, &value, flags) != CURLUE_OK) {
            return std::nullopt;
        }
        std::string text(value);
        curl_free(value);
        return text;
    };
    auto scheme = part(CURLUPART_SCHEME, 0);
    auto host = part(CURLUPART_HOST, 0);
    auto port = part(CURLUPART_PORT, CURLU_DEFAULT_PORT);
    if (!scheme || !host || !port) {
        return std::nullopt;
    }
    return UrlParts{*scheme, *host, *port};
}

std::optional<std::chrono::system_clock::time_point> rfc822_time(const Json& value) {
    if (!value.is_string()) {
        return std::nullopt;
    }
    time_t seconds = curl_getdate(value.get_ref<const std::string&>().c_str(), nullptr);
    if (seconds < 0) {
        return std::nullopt;
    }
    return std::chrono::system_clock::from_time_t(seconds);
}

HttpResponse fetch(HttpEngine& engine, HttpRequest request) {
    std::optional<HttpResponse> answer;
    engine.submit(std::move(request), [&](HttpResponse response) { answer = std::move(response); });
    while (!answer) {
        engine.poll(std::chrono::milliseconds(1000));
    }
    return std::move(*answer);
}

// Mailgun explains a refusal in {"message": "..."}; shown short and redacted.
std::string refusal(const HttpResponse& response, const Redactor& redactor) {
    if (response.status == 0) {
        return "no answer: " + response.error;
    }
    std::string text = "HTTP " + std::to_string(response.status);
    auto body = Json::parse(response.body, nullptr, false);
    if (body.is_object() && body.contains("message") && body["message"].is_string()) {
        text += ": " + redactor.redact(body["message"].get<std::string>().substr(0, kMessageShown));
    }
    if (response.status == 401) {
        text += " (check webhooks.mailgun.api.api_key_file)";
    }
    return text;
}

}  // namespace

MailgunPage parse_complaints_page(std::string_view json) {
    auto document = Json::parse(json, nullptr, false);
    if (document.is_discarded() || !document.is_object()) {
        throw MailgunApiError("the answer is not a JSON object");
    }
    auto items = document.find("items");
    if (items == document.end() || !items->is_array()) {
        throw MailgunApiError("the answer has no \"items\" list");
    }
    MailgunPage page;
    for (std::size_t i = 0; i < items->size(); ++i) {
        const Json& item = (*items)[i];
        if (!item.is_object() || !item.contains("address") || !item["address"].is_string() ||
            item["address"].get_ref<const std::string&>().empty()) {
            throw MailgunApiError(fmt::format("item {} has no \"address\"", i + 1));
        }
        MailgunComplaint complaint;
        complaint.address = item["address"].get<std::string>();
        if (auto created = item.find("created_at"); created != item.end()) {
            complaint.created_at = rfc822_time(*created);
        }
        page.items.push_back(std::move(complaint));
    }
    if (auto paging = document.find("paging"); paging != document.end() && paging->is_object()) {
        if (auto next = paging->find("next"); next != paging->end()) {
            if (!next->is_string()) {
                throw MailgunApiError("paging.next is not a string");
            }
            page.next = next->get<std::string>();
        }
    }
    return page;
}

bool same_origin(const std::string& url, const std::string& base) {
    auto a = url_parts(url);
    auto b = url_parts(base);
    return a && b && a->scheme == b->scheme && a->host == b->host && a->port == b->port;
}

std::vector<MailgunComplaint> list_mailgun_complaints(const config::MailgunApi& api,
                                                      const MailgunListLimits& limits) {
    Redactor redactor;
    redactor.add(api.api_key.reveal());
    HttpEngine engine;
    std::vector<MailgunComplaint> complaints;
    std::set<std::string> visited;
    std::string url =
        fmt::format("{}/v3/{}/complaints?limit={}", api.base_url, api.domain, limits.page_size);
    for (std::size_t number = 1;; ++number) {
        auto where = [&] { return fmt::format("mailgun: page {}", number); };
        if (number > limits.max_pages) {
            throw MailgunApiError(fmt::format("mailgun: more than {} pages", limits.max_pages));
        }
        HttpRequest request;
        request.url = url;
        request.headers = {"Accept: application/json"};
        request.basic_user = "api";
        request.basic_password = api.api_key.reveal();
        request.total_timeout = limits.request_timeout;
        auto response = fetch(engine, std::move(request));
        if (response.status != 200) {
            bool temporary =
                response.status == 0 || response.status == 429 || response.status >= 500;
            throw MailgunApiError(where() + ": " + refusal(response, redactor), temporary);
        }
        if (response.body.size() >= HttpEngine::kMaxBody) {
            throw MailgunApiError(
                fmt::format("{}: larger than {} bytes", where(), HttpEngine::kMaxBody));
        }
        MailgunPage page;
        try {
            page = parse_complaints_page(response.body);
        } catch (const MailgunApiError& error) {
            throw MailgunApiError(where() + ": " + error.what());
        }
        if (complaints.size() + page.items.size() > limits.max_items) {
            throw MailgunApiError(fmt::format("mailgun: more than {} addresses", limits.max_items));
        }
        complaints.insert(complaints.end(), std::make_move_iterator(page.items.begin()),
                          std::make_move_iterator(page.items.end()));
        // Mailgun's last page is the first empty one; its "next" points on.
        if (page.items.empty() || page.next.empty()) {
            return complaints;
        }
        if (!same_origin(page.next, api.base_url)) {
            throw MailgunApiError(where() + ": paging.next '" + redactor.redact(page.next) +
                                  "' is not on " + api.base_url + ": not followed");
        }
        visited.insert(url);
        if (visited.contains(page.next)) {
            throw MailgunApiError(where() + ": paging.next leads back to a page already read");
        }
        url = page.next;
    }
}

}  // namespace fbl::crm
