#include "store/records.h"

#include <array>
#include <utility>

namespace fbl::store {
namespace {

constexpr std::array<std::pair<std::string_view, Reason>, 5> kReasons{{
    {"complaint", Reason::complaint},
    {"unsubscribe", Reason::unsubscribe},
    {"manual", Reason::manual},
    {"import", Reason::import},
    {"bounce", Reason::bounce},
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
std::optional<Reason> parse_reason(std::string_view text) {
    return value_of(kReasons, text);
}

}  // namespace fbl::store
