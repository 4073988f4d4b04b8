#include "web/console/form_fields.h"

#include <civetweb.h>

namespace fbl::web::console {
namespace {

constexpr std::size_t kMaxCookie = 512;

std::string form_decoded(std::string_view encoded) {
    // Decoding never grows the text; +1 for CivetWeb's terminating NUL.
    std::string decoded(encoded.size() + 1, '\0');
    int length = mg_url_decode(encoded.data(), static_cast<int>(encoded.size()), decoded.data(),
                               static_cast<int>(decoded.size()), 1);
    decoded.resize(length < 0 ? 0 : static_cast<std::size_t>(length));
    return decoded;
}

}  // namespace

FormFields::FormFields(std::string_view encoded, std::size_t max_fields) {
    while (!encoded.empty() && fields_.size() < max_fields) {
        auto end = encoded.find('&');
        std::string_view field = encoded.substr(0, end);
        encoded.remove_prefix(end == std::string_view::npos ? encoded.size() : end + 1);
        if (field.empty()) {
            continue;
        }
        auto equals = field.find('=');
        std::string_view name = field.substr(0, equals);
        std::string_view value =
            equals == std::string_view::npos ? std::string_view{} : field.substr(equals + 1);
        fields_.emplace_back(form_decoded(name), form_decoded(value));
    }
}

std::string FormFields::get(std::string_view name) const {
    for (const auto& [field, value] : fields_) {
        if (field == name) {
            return value;
        }
    }
    return "";
}

std::vector<std::string> FormFields::all(std::string_view name) const {
    std::vector<std::string> values;
    for (const auto& [field, value] : fields_) {
        if (field == name) {
            values.push_back(value);
        }
    }
    return values;
}

bool FormFields::has(std::string_view name) const {
    for (const auto& field : fields_) {
        if (field.first == name) {
            return true;
        }
    }
    return false;
}

std::string cookie_value(const Request& request, std::string_view name) {
    auto header = request.headers.find("Cookie");
    if (!header) {
        return "";
    }
    std::string cookies(*header);
    std::string wanted(name);
    char value[kMaxCookie];
    int length = mg_get_cookie(cookies.c_str(), wanted.c_str(), value, sizeof value);
    return length < 0 ? "" : std::string(value, static_cast<std::size_t>(length));
}

}  // namespace fbl::web::console
