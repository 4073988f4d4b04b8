#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <kainjow/mustache.hpp>

#include "web/console/form_fields.h"
#include "web/console/sessions.h"
#include "web/http.h"
#include "web/language.h"

// One console request as its handler sees it, and the page around its
// content: layout, navigation, language switch, security headers.
namespace fbl::web::console {

struct ConsoleRequest {
    const Request& http;
    Language language = Language::english;
    FormFields query;                // the page's query string
    FormFields form;                 // a POST's fields (empty for GET)
    std::optional<Session> session;  // set for every page but the login page

    ConsoleRequest(const Request& request, Language chosen);
    const ConsoleUser& user() const { return session->user; }
};

// Fills `template_name` (an asset) with `data` plus "t" (the texts) and
// "csrf"; every {{value}} is HTML-escaped by mustache, so text from
// strangers' mail is shown, never run. Throws std::runtime_error on a
// broken template.
std::string render(std::string_view template_name, kainjow::mustache::data data,
                   const ConsoleRequest& request);

struct Page {
    std::string title_key;  // a text key: the <title> and the heading
    std::string nav;        // which navigation entry is current ("" = none)
    std::string content;    // rendered HTML
    std::string message;    // shown above the content, escaped
    Status status = Status::ok;

    Page(std::string title, std::string current, std::string html, std::string note = "",
         Status answer = Status::ok)
        : title_key(std::move(title)),
          nav(std::move(current)),
          content(std::move(html)),
          message(std::move(note)),
          status(answer) {}
};

// The whole HTML answer around the page, with the console's headers.
Response html_page(const ConsoleRequest& request, const Page& page);

// 303 to a console path (after a form, or to the login page).
Response see_other(std::string location);

// Content-Security-Policy (no inline script, nothing from elsewhere),
// no framing, no caching of pages that hold addresses.
void add_console_headers(Response& response);

// Percent-encodes text for a query value (a path carried in ?next= or
// ?back=, a filter in a link).
std::string query_encoded(std::string_view text);

// A path is ours to redirect to: "/console/..." without a scheme, host,
// backslash or control character, so ?next= cannot send a user elsewhere.
bool is_console_path(std::string_view path);

}  // namespace fbl::web::console
