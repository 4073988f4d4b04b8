#include "common/dates.h"

#include <charconv>
#include <chrono>

#include <fmt/format.h>

#include "common/units.h"

namespace fbl::dates {
namespace {

using namespace std::chrono;

// Reads exactly `digits` decimal digits at `text` into `value`.
bool read_number(std::string_view& text, std::size_t digits, int& value) {
    if (text.size() < digits) {
        return false;
    }
    for (std::size_t i = 0; i < digits; ++i) {
        if (text[i] < '0' || text[i] > '9') {
            return false;
        }
    }
    std::from_chars(text.data(), text.data() + digits, value);
    text.remove_prefix(digits);
    return true;
}

bool expect(std::string_view& text, char c) {
    if (text.empty() || text.front() != c) {
        return false;
    }
    text.remove_prefix(1);
    return true;
}

struct ParsedDate {
    TimePoint time;
    bool has_time = false;
};

// Offset "Z", "+HH:MM", "-HH:MM", "+HHMM" or none (UTC).
std::optional<seconds> read_offset(std::string_view text) {
    if (text.empty() || text == "Z" || text == "z") {
        return seconds(0);
    }
    int sign = text.front() == '+' ? 1 : text.front() == '-' ? -1 : 0;
    if (sign == 0) {
        return std::nullopt;
    }
    text.remove_prefix(1);
    int hours = 0;
    int minutes = 0;
    if (!read_number(text, 2, hours)) {
        return std::nullopt;
    }
    expect(text, ':');
    if (!read_number(text, 2, minutes) || !text.empty() || hours > 23 || minutes > 59) {
        return std::nullopt;
    }
    return seconds(sign * (hours * 3600 + minutes * 60));
}

std::optional<ParsedDate> parse(std::string_view text) {
    while (!text.empty() && text.front() == ' ') {
        text.remove_prefix(1);
    }
    while (!text.empty() && text.back() == ' ') {
        text.remove_suffix(1);
    }
    int year = 0;
    int month = 0;
    int day = 0;
    if (!read_number(text, 4, year) || !expect(text, '-') || !read_number(text, 2, month) ||
        !expect(text, '-') || !read_number(text, 2, day)) {
        return std::nullopt;
    }
    year_month_day date{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                        std::chrono::day(static_cast<unsigned>(day))};
    if (!date.ok()) {
        return std::nullopt;
    }
    ParsedDate result{sys_days(date), false};
    if (text.empty()) {
        return result;
    }
    if (!expect(text, 'T') && !expect(text, 't') && !expect(text, ' ')) {
        return std::nullopt;
    }
    int hour = 0;
    int minute = 0;
    int second = 0;
    if (!read_number(text, 2, hour) || !expect(text, ':') || !read_number(text, 2, minute)) {
        return std::nullopt;
    }
    if (!text.empty() && text.front() == ':' &&
        (text.remove_prefix(1), !read_number(text, 2, second))) {
        return std::nullopt;
    }
    if (hour > 23 || minute > 59 || second > 60) {
        return std::nullopt;
    }
    auto offset = read_offset(text);
    if (!offset) {
        return std::nullopt;
    }
    result.time += hours(hour) + minutes(minute) + seconds(second) - *offset;
    result.has_time = true;
    return result;
}

}  // namespace

std::optional<TimePoint> parse_date(std::string_view text) {
    auto parsed = parse(text);
    return parsed ? std::optional(parsed->time) : std::nullopt;
}

std::optional<TimePoint> parse_date_until(std::string_view text) {
    auto parsed = parse(text);
    if (!parsed) {
        return std::nullopt;
    }
    return parsed->has_time ? parsed->time : parsed->time + days(1);
}

std::optional<std::optional<TimePoint>> parse_expiry(std::string_view text, TimePoint now) {
    if (text == "never") {
        return std::optional<TimePoint>();
    }
    if (auto date = parse_date(text)) {
        return std::optional<TimePoint>(*date);
    }
    if (auto duration = parse_duration(text); duration && duration->count() > 0) {
        return std::optional<TimePoint>(now + *duration);
    }
    return std::nullopt;
}

std::string format_time(TimePoint time) {
    if (time == TimePoint{}) {
        return "";
    }
    auto whole = floor<seconds>(time);
    auto day = floor<days>(whole);
    year_month_day date(day);
    hh_mm_ss clock(whole - day);
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", static_cast<int>(date.year()),
                       static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                       clock.hours().count(), clock.minutes().count(), clock.seconds().count());
}

std::string format_time(const std::optional<TimePoint>& time) {
    return time ? format_time(*time) : "";
}

}  // namespace fbl::dates
