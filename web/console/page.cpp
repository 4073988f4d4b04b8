#include "web/console/page.h"

#include <array>
#include <stdexcept>

#include "web/console/assets.h"
#include "web/console/texts.h"

namespace fbl::web::console {
namespace {

namespace mustache = kainjow::mustache;

struct NavEntry {
    const char* key;
    const char* href;
};

constexpr std::array kNavigation{
    NavEntry{"overview", "/console/"},           NavEntry{"complaints", "/console/complaints"},
    NavEntry{"mailings", "/console/mailings"},   NavEntry{"suppressions", "/console/suppressions"},
    NavEntry{"untrusted", "/console/untrusted"}, NavEntry{"outbox", "/console/outbox"},
};

std::string current_path_and_query(const Request& request) {
    return request.query.empty() ? request.path : request.path + "?" + request.query;
}

}  // namespace

std::string query_encoded(std::string_view text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string encoded;
    for (unsigned char c : text) {
        bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                     c == '/' || c == '-' || c == '_' || c == '.';
        if (plain) {
            encoded += static_cast<char>(c);
        } else {
            encoded += '%';
            encoded += kHex[c >> 4];
            encoded += kHex[c & 15];
        }
    }
    return encoded;
}

namespace {

mustache::data navigation(const ConsoleRequest& request, const std::string& active) {
    mustache::data entries{mustache::data::type::list};
    for (const auto& entry : kNavigation) {
        mustache::data item;
        item.set("href", entry.href);
        item.set("label", std::string(text(request.language, entry.key)));
        item.set("active", active == entry.key);
        entries.push_back(item);
    }
    return entries;
}

mustache::data languages(const ConsoleRequest& request) {
    std::string back = query_encoded(current_path_and_query(request.http));
    mustache::data entries{mustache::data::type::list};
    for (auto [language, label] : {std::pair{Language::english, "English"},
                                   std::pair{Language::norwegian_bokmal, "Norsk bokmål"}}) {
        mustache::data item;
        item.set("code", html_lang(language));
        item.set("label", label);
        item.set("href",
                 std::string("/console/language?to=") + html_lang(language) + "&back=" + back);
        item.set("active", language == request.language);
        entries.push_back(item);
    }
    return entries;
}

}  // namespace

ConsoleRequest::ConsoleRequest(const Request& request, Language chosen)
    : http(request),
      language(chosen),
      query(request.query),
      form(request.method == Method::post ? std::string_view(request.body) : std::string_view{}) {}

std::string render(std::string_view template_name, mustache::data data,
                   const ConsoleRequest& request) {
    auto source = asset(template_name);
    if (!source) {
        throw std::runtime_error("no console template " + std::string(template_name));
    }
    mustache::mustache view{std::string(*source)};
    if (!view.is_valid()) {
        throw std::runtime_error("console template " + std::string(template_name) + ": " +
                                 view.error_message());
    }
    data.set("t", texts(request.language));
    if (request.session) {
        data.set("csrf", request.session->csrf_token);
    }
    return view.render(data);
}

Response html_page(const ConsoleRequest& request, const Page& page) {
    mustache::data data;
    data.set("lang", html_lang(request.language));
    data.set("title", std::string(text(request.language, page.title_key)));
    data.set("content", page.content);
    if (!page.message.empty()) {
        data.set("message", page.message);
    }
    if (request.session) {
        mustache::data user;
        user.set("name", request.user().name);
        user.set("role", request.user().role == Role::admin ? "admin" : "viewer");
        user.set("nav", navigation(request, page.nav));
        data.set("user", user);
    }
    data.set("languages", languages(request));
    Response response;
    response.status = page.status;
    response.content_type = ContentType::text_html;
    response.body = render("layout.mustache", std::move(data), request);
    add_console_headers(response);
    return response;
}

Response see_other(std::string location) {
    Response response;
    response.status = Status::see_other;
    response.headers.add("Location", std::move(location));
    add_console_headers(response);
    return response;
}

void add_console_headers(Response& response) {
    response.headers.add("Content-Security-Policy",
                         "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
                         "form-action 'self'; base-uri 'none'; frame-ancestors 'none'");
    response.headers.add("X-Content-Type-Options", "nosniff");
    response.headers.add("X-Frame-Options", "DENY");
    response.headers.add("Referrer-Policy", "same-origin");
    response.headers.add("Cache-Control", "no-store");
}

bool is_console_path(std::string_view path) {
    if (!path.starts_with("/console/") || path.starts_with("/console//")) {
        return false;
    }
    for (unsigned char c : path) {
        if (c < 0x21 || c >= 0x7f || c == '\\') {
            return false;
        }
    }
    return true;
}

}  // namespace fbl::web::console
