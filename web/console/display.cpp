#include "web/console/display.h"

#include <fmt/format.h>

namespace fbl::web::console {

std::string display_time(dates::TimePoint time) {
    std::string iso = dates::format_time(time);  // 2026-11-28T19:40:05Z
    if (iso.size() < 16) {
        return iso;
    }
    return iso.substr(0, 10) + " " + iso.substr(11, 5) + " UTC";
}

dates::TimePoint start_of_day(dates::TimePoint now) {
    return std::chrono::floor<std::chrono::days>(now);
}

std::string display_rate(std::int64_t complaints, std::int64_t sends, Language language) {
    if (sends <= 0) {
        return "—";
    }
    std::string text = fmt::format(
        "{:.2f} %", 100.0 * static_cast<double>(complaints) / static_cast<double>(sends));
    if (language == Language::norwegian_bokmal) {
        for (char& c : text) {
            if (c == '.') {
                c = ',';
            }
        }
    }
    return text;
}

std::string display_count(std::int64_t count, Language language) {
    std::string digits = std::to_string(count < 0 ? -count : count);
    std::string grouped;
    // U+00A0 between groups in bokmål, so a number never breaks over lines.
    std::string_view separator = language == Language::norwegian_bokmal ? "\u00a0" : ",";
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) {
            grouped += separator;
        }
        grouped += digits[i];
    }
    return count < 0 ? "-" + grouped : grouped;
}

std::string_view rate_flag(std::int64_t complaints, std::int64_t sends,
                           const config::StatsSettings& stats) {
    if (sends <= 0) {
        return complaints > 0 ? "critical" : "";
    }
    double rate = static_cast<double>(complaints) / static_cast<double>(sends);
    if (rate >= stats.critical_rate) {
        return "critical";
    }
    if (rate >= stats.warning_rate) {
        return "warning";
    }
    return "";
}

}  // namespace fbl::web::console
