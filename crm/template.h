#pragma once

#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

// Request templates of CRM adapters. A placeholder is `{name}` or
// `{modifier:name}`; anything else between braces (a JSON object, `{}`) is
// literal text. The value is escaped for the place it lands in, so an adapter
// author never writes escaping by hand:
//   url     percent-encoding of every byte but RFC 3986 unreserved ones
//           (literal text is kept, only bytes never allowed in a URL are encoded)
//   json    inside a JSON string: JSON string escaping; outside one: a quoted
//           JSON string
//   form    application/x-www-form-urlencoded value encoding
//   header  the value as is, with CR, LF and NUL removed (no header injection)
//   text    the value as is
// Modifiers run before that escaping, for string literals of query languages
// embedded in the URL or body:
//   odata   doubles single quotes (OData string literal)
//   soql    backslash-escapes quotes, backslash and control characters
//           (Salesforce SOQL string literal)
namespace fbl::crm {

enum class Context { url, json, form, header, text };

class TemplateError : public std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct Placeholder {
    std::string modifier;  // "" | odata | soql
    std::string name;      // email, person_id, secret.token, ...
};

// Every placeholder of a template, in order (for validation at load time).
std::vector<Placeholder> placeholders(std::string_view text);

// Looks a placeholder's name up; nullopt = unknown name (a TemplateError).
using Lookup = std::function<std::optional<std::string>(const std::string& name)>;

std::string render(std::string_view text, Context context, const Lookup& lookup);

// Replaces only the placeholders `lookup` knows, verbatim and without escaping;
// the others stay for render(). Adapters use it to expand settings.
std::string expand_known(std::string_view text, const Lookup& lookup);

std::string percent_encode(std::string_view value);
std::string json_escape(std::string_view value);  // without the surrounding quotes
std::string odata_literal(std::string_view value);
std::string soql_literal(std::string_view value);

}  // namespace fbl::crm
