#pragma once

#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

namespace fbl::web {

// How deep a request body's JSON may nest. The providers' events nest a few
// levels; a stranger's "[[[[..." would otherwise cost a deep tree for
// nothing.
inline constexpr int kMaxJsonDepth = 32;

// The body as JSON, or nullopt when it is not JSON or nests deeper than
// kMaxJsonDepth. Linear in the body: a SAX pass bounds the depth before
// any tree is built.
std::optional<nlohmann::json> parse_json_body(std::string_view body);

}  // namespace fbl::web
