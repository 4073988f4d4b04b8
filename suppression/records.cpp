#include "suppression/records.h"

#include <array>
#include <utility>

namespace fbl::suppression {
namespace {

constexpr std::array<std::pair<std::string_view, Reason>, 5> kReasons{{
    {"complaint", Reason::complaint},
    {"unsubscribe", Reason::unsubscribe},
    {"manual", Reason::manual},
    {"import", Reason::import},
    {"bounce", Reason::bounce},
}};
constexpr std::array<std::pair<std::string_view, Scope>, 2> kScopes{{
    {"marketing", Scope::marketing},
    {"all", Scope::all},
}};

template <typename Enum, std::size_t N>
const char* name_of(const std::array<std::pair<std::string_view, Enum>, N>& table, Enum value) {
    for (const auto& [name, candidate] : table) {
        if (candidate == value) {
            return name.data();
        }
    }
    return "unknown";
}

template <typename Enum, std::size_t N>
std::optional<Enum> value_of(const std::array<std::pair<std::string_view, Enum>, N>& table,
                             std::string_view text) {
    for (const auto& [name, candidate] : table) {
        if (name == text) {
            return candidate;
        }
    }
    return std::nullopt;
}

}  // namespace

const char* to_string(Reason reason) {
    return name_of(kReasons, reason);
}
const char* to_string(Scope scope) {
    return name_of(kScopes, scope);
}
std::optional<Reason> parse_reason(std::string_view text) {
    return value_of(kReasons, text);
}
std::optional<Scope> parse_scope(std::string_view text) {
    return value_of(kScopes, text);
}

}  // namespace fbl::suppression
