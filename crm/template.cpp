#include "crm/template.h"

#include <cctype>

#include <fmt/format.h>

namespace fbl::crm {
namespace {

bool is_name_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '.' || c == '-';
}

bool is_unreserved(unsigned char c) {
    return std::isalnum(c) != 0 || c == '-' || c == '.' || c == '_' || c == '~';
}

// Characters that may appear literally in a URL (RFC 3986 unreserved,
// reserved and '%'); anything else in a URL template's literal text, such as
// the spaces of an OData filter, is percent-encoded.
bool allowed_in_url(unsigned char c) {
    static constexpr std::string_view kAllowed = ":/?#[]@!$&'()*+,;=%";
    return is_unreserved(c) || kAllowed.find(static_cast<char>(c)) != std::string_view::npos;
}

// A placeholder starting at text[begin] == '{': its length including the
// braces, or 0 when the braces do not form one.
std::size_t placeholder_length(std::string_view text, std::size_t begin) {
    std::size_t end = begin + 1;
    int colons = 0;
    while (end < text.size() && (is_name_char(text[end]) || text[end] == ':')) {
        colons += text[end] == ':' ? 1 : 0;
        ++end;
    }
    if (end >= text.size() || text[end] != '}' || end == begin + 1 || colons > 1) {
        return 0;
    }
    auto inner = text.substr(begin + 1, end - begin - 1);
    if (inner.front() == ':' || inner.back() == ':') {
        return 0;
    }
    return end - begin + 1;
}

Placeholder parse_placeholder(std::string_view inner) {
    auto colon = inner.find(':');
    if (colon == std::string_view::npos) {
        return {"", std::string(inner)};
    }
    return {std::string(inner.substr(0, colon)), std::string(inner.substr(colon + 1))};
}

std::string apply_modifier(const Placeholder& placeholder, std::string value) {
    if (placeholder.modifier.empty()) {
        return value;
    }
    if (placeholder.modifier == "odata") {
        return odata_literal(value);
    }
    if (placeholder.modifier == "soql") {
        return soql_literal(value);
    }
    throw TemplateError(fmt::format("unknown modifier '{}' in {{{}:{}}} (known: odata, soql)",
                                    placeholder.modifier, placeholder.modifier, placeholder.name));
}

std::string strip_line_breaks(std::string_view value) {
    std::string out;
    for (char c : value) {
        if (c != '\r' && c != '\n' && c != '\0') {
            out += c;
        }
    }
    return out;
}

// Tracks whether a JSON template is inside a string literal at the current
// point of its literal text.
struct JsonState {
    bool in_string = false;
    bool escaped = false;
    void feed(char c) {
        if (escaped) {
            escaped = false;
        } else if (in_string && c == '\\') {
            escaped = true;
        } else if (c == '"') {
            in_string = !in_string;
        }
    }
};

void append_literal(std::string& out, std::string_view literal, Context context, JsonState& json) {
    for (char c : literal) {
        if (context == Context::json) {
            json.feed(c);
        }
        if (context == Context::url && !allowed_in_url(static_cast<unsigned char>(c))) {
            out += fmt::format("%{:02X}", static_cast<unsigned char>(c));
        } else {
            out += c;
        }
    }
}

void append_value(std::string& out, std::string_view value, Context context,
                  const JsonState& json) {
    switch (context) {
        case Context::url:
        case Context::form:
            out += percent_encode(value);
            break;
        case Context::json:
            if (json.in_string) {
                out += json_escape(value);
            } else {
                out += '"' + json_escape(value) + '"';
            }
            break;
        case Context::header:
            out += strip_line_breaks(value);
            break;
        case Context::text:
            out += value;
            break;
    }
}

}  // namespace

std::vector<Placeholder> placeholders(std::string_view text) {
    std::vector<Placeholder> found;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '{') {
            continue;
        }
        if (auto length = placeholder_length(text, i); length != 0) {
            found.push_back(parse_placeholder(text.substr(i + 1, length - 2)));
            i += length - 1;
        }
    }
    return found;
}

std::string render(std::string_view text, Context context, const Lookup& lookup) {
    std::string out;
    JsonState json;
    std::size_t literal_start = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '{') {
            continue;
        }
        auto length = placeholder_length(text, i);
        if (length == 0) {
            continue;
        }
        append_literal(out, text.substr(literal_start, i - literal_start), context, json);
        auto placeholder = parse_placeholder(text.substr(i + 1, length - 2));
        auto value = lookup(placeholder.name);
        if (!value) {
            throw TemplateError(fmt::format("unknown placeholder {{{}}}", placeholder.name));
        }
        append_value(out, apply_modifier(placeholder, std::move(*value)), context, json);
        i += length - 1;
        literal_start = i + 1;
    }
    append_literal(out, text.substr(literal_start), context, json);
    return out;
}

std::string expand_known(std::string_view text, const Lookup& lookup) {
    std::string out;
    std::size_t literal_start = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '{') {
            continue;
        }
        auto length = placeholder_length(text, i);
        if (length == 0) {
            continue;
        }
        auto placeholder = parse_placeholder(text.substr(i + 1, length - 2));
        auto value = placeholder.modifier.empty() ? lookup(placeholder.name) : std::nullopt;
        if (value) {
            out += text.substr(literal_start, i - literal_start);
            out += *value;
            literal_start = i + length;
        }
        i += length - 1;
    }
    out += text.substr(literal_start);
    return out;
}

std::string percent_encode(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (char c : value) {
        auto byte = static_cast<unsigned char>(c);
        if (is_unreserved(byte)) {
            out += c;
        } else {
            out += fmt::format("%{:02X}", byte);
        }
    }
    return out;
}

std::string json_escape(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (char c : value) {
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            case '\b':
                out += "\\b";
                break;
            case '\f':
                out += "\\f";
                break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) {
                    out += fmt::format("\\u{:04x}", static_cast<unsigned char>(c));
                } else {
                    out += c;
                }
        }
    }
    return out;
}

std::string odata_literal(std::string_view value) {
    std::string out;
    for (char c : value) {
        out += c;
        if (c == '\'') {
            out += '\'';
        }
    }
    return out;
}

std::string soql_literal(std::string_view value) {
    std::string out;
    for (char c : value) {
        switch (c) {
            case '\'':
                out += "\\'";
                break;
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                out += c;
        }
    }
    return out;
}

}  // namespace fbl::crm
