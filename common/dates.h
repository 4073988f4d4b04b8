#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

// Dates and durations on fblctl's command line, in the console's filters,
// and in both outputs. Every time is UTC; output is ISO 8601 with a "Z",
// stable for scripts.
namespace fbl::dates {

using TimePoint = std::chrono::system_clock::time_point;

// "2026-11-28" (midnight UTC), "2026-11-28T19:40", "2026-11-28T19:40:05Z",
// "2026-11-28 19:40:05+01:00". nullopt when it does not parse or is no date.
std::optional<TimePoint> parse_date(std::string_view text);

// Like parse_date, but a bare day means the end of that day (the start of
// the next), so "--until 2026-11-28" includes the 28th.
std::optional<TimePoint> parse_date_until(std::string_view text);

// "--expires": a duration from now ("30d", "12h", "2w", "3600"), a DATE,
// or "never" (nullopt inside the optional). Outer nullopt: does not parse.
std::optional<std::optional<TimePoint>> parse_expiry(std::string_view text, TimePoint now);

// "2026-11-28T19:40:05Z"; "" for the zero time point.
std::string format_time(TimePoint time);
std::string format_time(const std::optional<TimePoint>& time);

}  // namespace fbl::dates
