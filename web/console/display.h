#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/dates.h"
#include "config/config.h"
#include "store/records.h"
#include "web/language.h"

// How numbers, times and rates look in the console.
namespace fbl::web::console {

// "2026-11-28 19:40 UTC"
std::string display_time(dates::TimePoint time);
// Midnight UTC of the day `now` is in.
dates::TimePoint start_of_day(dates::TimePoint now);
// complaints / sends as "0.31 %" (a comma in bokmål); "—" without sends.
std::string display_rate(std::int64_t complaints, std::int64_t sends, Language language);
// "1,234,567" / "1 234 567".
std::string display_count(std::int64_t count, Language language);

// The stats.*_rate flag of a mailing: "", "warning" or "critical".
std::string_view rate_flag(std::int64_t complaints, std::int64_t sends,
                           const config::StatsSettings& stats);

}  // namespace fbl::web::console
