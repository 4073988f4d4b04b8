#include "common/units.h"

#include <array>
#include <charconv>
#include <utility>

#include <fmt/format.h>

namespace fbl {
namespace {

// Splits "15m" into 15 and "m"; nullopt when no leading digits.
std::optional<std::pair<std::uint64_t, std::string_view>> split_number(std::string_view text) {
    while (!text.empty() && text.front() == ' ')
        text.remove_prefix(1);
    while (!text.empty() && text.back() == ' ')
        text.remove_suffix(1);
    std::uint64_t number = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
    if (error != std::errc{} || end == text.data()) {
        return std::nullopt;
    }
    std::string_view unit(end, static_cast<std::size_t>(text.data() + text.size() - end));
    while (!unit.empty() && unit.front() == ' ')
        unit.remove_prefix(1);
    return std::pair{number, unit};
}

template <std::size_t N>
std::optional<std::uint64_t> scale(
    std::uint64_t number, std::string_view unit,
    const std::array<std::pair<std::string_view, std::uint64_t>, N>& units) {
    for (const auto& [name, factor] : units) {
        if (unit == name) {
            if (factor != 0 && number > UINT64_MAX / factor) {
                return std::nullopt;
            }
            return number * factor;
        }
    }
    return std::nullopt;
}

}  // namespace

std::optional<std::chrono::seconds> parse_duration(std::string_view text) {
    static constexpr std::array<std::pair<std::string_view, std::uint64_t>, 6> units{
        {{"", 1}, {"s", 1}, {"m", 60}, {"h", 3600}, {"d", 86400}, {"w", 604800}}};
    auto parts = split_number(text);
    if (!parts) {
        return std::nullopt;
    }
    auto seconds = scale(parts->first, parts->second, units);
    if (!seconds || *seconds > static_cast<std::uint64_t>(INT64_MAX / 1000)) {
        return std::nullopt;
    }
    return std::chrono::seconds(static_cast<std::int64_t>(*seconds));
}

std::optional<std::uint64_t> parse_size(std::string_view text) {
    static constexpr std::array<std::pair<std::string_view, std::uint64_t>, 8> units{
        {{"", 1},
         {"B", 1},
         {"KiB", 1024},
         {"MiB", 1024 * 1024},
         {"GiB", 1024ull * 1024 * 1024},
         {"kB", 1000},
         {"MB", 1000 * 1000},
         {"GB", 1000ull * 1000 * 1000}}};
    auto parts = split_number(text);
    if (!parts) {
        return std::nullopt;
    }
    return scale(parts->first, parts->second, units);
}

std::string format_duration(std::chrono::seconds duration) {
    auto count = duration.count();
    if (count != 0 && count % 86400 == 0)
        return fmt::format("{}d", count / 86400);
    if (count != 0 && count % 3600 == 0)
        return fmt::format("{}h", count / 3600);
    if (count != 0 && count % 60 == 0)
        return fmt::format("{}m", count / 60);
    return fmt::format("{}s", count);
}

}  // namespace fbl
