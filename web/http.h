#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// What a handler sees and answers: plain values, no server types, so every
// handler is tested without a socket (web/router.h).
namespace fbl::web {

enum class Method { get, head, post, put, patch, del, options, other };

// "GET" -> Method::get; an unknown verb is Method::other (answered 405).
Method method_from(std::string_view verb);
std::string_view to_string(Method method);

// The status codes fblweb answers; CivetWeb writes the reason phrase.
enum class Status : int {
    ok = 200,
    see_other = 303,  // after a console form: the browser GETs the page again
    bad_request = 400,
    unauthorized = 401,
    forbidden = 403,
    not_found = 404,
    method_not_allowed = 405,
    not_acceptable = 406,  // Mailgun: "do not retry"
    payload_too_large = 413,
    too_many_requests = 429,
    internal_error = 500,
    service_unavailable = 503,
};

// Names compared case-insensitively (RFC 9110 5.1); order kept.
class Headers {
  public:
    void add(std::string name, std::string value);
    // The first field of that name, if any.
    std::optional<std::string_view> find(std::string_view name) const;
    const std::vector<std::pair<std::string, std::string>>& fields() const { return fields_; }

  private:
    std::vector<std::pair<std::string, std::string>> fields_;
};

struct Request {
    Method method = Method::get;
    std::string path;   // decoded, without the query
    std::string query;  // after '?', raw
    Headers headers;
    std::string body;
    // The real client (web/client_address.h): the TCP peer, or what a
    // trusted proxy says it is.
    std::string client_address;
    // The client reached us over TLS: our own, or a trusted proxy's
    // (X-Forwarded-Proto: https). Decides the console cookie's Secure.
    bool secure = false;
};

enum class ContentType {
    text_plain,
    text_html,
    application_json,
    text_css,
    text_javascript,
    image_svg,
    text_csv,
    xlsx,
};
std::string_view to_string(ContentType type);

// Where a streamed body goes, piece by piece (an HTTP chunk each).
using BodySink = std::function<void(std::string_view piece)>;

struct Response {
    Status status = Status::ok;
    ContentType content_type = ContentType::text_plain;
    std::string body;
    Headers headers;  // beyond Content-Type and Content-Length
    // When set, the body is produced while it is sent (chunked), never held
    // whole: an export of a million rows. `body` is ignored then.
    std::function<void(const BodySink& sink)> stream;
};

// A plain-text answer: most errors, /healthz.
Response text_response(Status status, std::string body);

}  // namespace fbl::web
