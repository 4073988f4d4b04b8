#include "suppression/change_feed.h"

namespace fbl::suppression {

const char* to_string(Scope scope) {
    return scope == Scope::all ? "all" : "marketing";
}

std::optional<Scope> parse_scope(std::string_view text) {
    if (text == "marketing") {
        return Scope::marketing;
    }
    if (text == "all") {
        return Scope::all;
    }
    return std::nullopt;
}

}  // namespace fbl::suppression
