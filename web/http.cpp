#include "web/http.h"

#include <array>

#include "common/text.h"

namespace fbl::web {
namespace {

constexpr std::array<std::pair<std::string_view, Method>, 7> kMethods{{
    {"GET", Method::get},
    {"HEAD", Method::head},
    {"POST", Method::post},
    {"PUT", Method::put},
    {"PATCH", Method::patch},
    {"DELETE", Method::del},
    {"OPTIONS", Method::options},
}};

}  // namespace

Method method_from(std::string_view verb) {
    for (const auto& [name, method] : kMethods) {
        // Methods are case-sensitive (RFC 9110 9.1): "get" is not GET.
        if (verb == name) {
            return method;
        }
    }
    return Method::other;
}

std::string_view to_string(Method method) {
    for (const auto& [name, known] : kMethods) {
        if (known == method) {
            return name;
        }
    }
    return "OTHER";
}

void Headers::add(std::string name, std::string value) {
    fields_.emplace_back(std::move(name), std::move(value));
}

std::optional<std::string_view> Headers::find(std::string_view name) const {
    for (const auto& [field, value] : fields_) {
        if (text::iequals(field, name)) {
            return value;
        }
    }
    return std::nullopt;
}

std::string_view to_string(ContentType type) {
    switch (type) {
        case ContentType::text_html:
            return "text/html; charset=utf-8";
        case ContentType::application_json:
            return "application/json";
        case ContentType::text_css:
            return "text/css; charset=utf-8";
        case ContentType::text_javascript:
            return "text/javascript; charset=utf-8";
        case ContentType::image_svg:
            return "image/svg+xml";
        case ContentType::text_csv:
            return "text/csv; charset=utf-8";
        case ContentType::xlsx:
            return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
        case ContentType::text_plain:
            break;
    }
    return "text/plain; charset=utf-8";
}

Response text_response(Status status, std::string body) {
    Response response;
    response.status = status;
    response.body = std::move(body);
    return response;
}

}  // namespace fbl::web
