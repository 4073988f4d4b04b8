#include "web/hooks/iso_timestamp.h"

namespace fbl::web::hooks {
namespace {

constexpr std::string_view kShape = "dddd-dd-ddTdd:dd:dd";
constexpr std::size_t kMaxFractionDigits = 9;

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

int number(std::string_view text, std::size_t at, std::size_t length) {
    int value = 0;
    for (std::size_t i = at; i < at + length; ++i) {
        value = value * 10 + (text[i] - '0');
    }
    return value;
}

bool has_shape(std::string_view text) {
    if (text.size() < kShape.size()) {
        return false;
    }
    for (std::size_t i = 0; i < kShape.size(); ++i) {
        if (kShape[i] == 'd' ? !is_digit(text[i]) : text[i] != kShape[i]) {
            return false;
        }
    }
    return true;
}

// ".123Z" or "Z" -> nanoseconds; nullopt for anything else.
std::optional<std::chrono::nanoseconds> fraction_then_z(std::string_view rest) {
    if (rest == "Z") {
        return std::chrono::nanoseconds(0);
    }
    if (rest.size() < 3 || rest.front() != '.' || rest.back() != 'Z' ||
        rest.size() - 2 > kMaxFractionDigits) {
        return std::nullopt;
    }
    std::int64_t nanos = 0;
    std::size_t digits = rest.size() - 2;
    for (std::size_t i = 1; i <= digits; ++i) {
        if (!is_digit(rest[i])) {
            return std::nullopt;
        }
        nanos = nanos * 10 + (rest[i] - '0');
    }
    for (std::size_t i = digits; i < kMaxFractionDigits; ++i) {
        nanos *= 10;
    }
    return std::chrono::nanoseconds(nanos);
}

}  // namespace

std::optional<std::chrono::system_clock::time_point> parse_iso_timestamp(std::string_view text) {
    using namespace std::chrono;
    if (!has_shape(text)) {
        return std::nullopt;
    }
    auto fraction = fraction_then_z(text.substr(kShape.size()));
    year_month_day day{year(number(text, 0, 4)), month(static_cast<unsigned>(number(text, 5, 2))),
                       std::chrono::day(static_cast<unsigned>(number(text, 8, 2)))};
    int hour = number(text, 11, 2);
    int minute = number(text, 14, 2);
    int second = number(text, 17, 2);
    if (!fraction || !day.ok() || hour > 23 || minute > 59 || second > 60) {
        return std::nullopt;
    }
    auto at = sys_days(day) + hours(hour) + minutes(minute) + seconds(second) + *fraction;
    return time_point_cast<system_clock::duration>(at);
}

}  // namespace fbl::web::hooks
