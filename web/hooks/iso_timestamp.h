#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace fbl::web::hooks {

// "2026-12-02T14:03:55.123Z" (the fraction optional, 1 to 9 digits, UTC
// only), as SNS and SES write their timestamps; nullopt for anything else,
// including a day that does not exist.
std::optional<std::chrono::system_clock::time_point> parse_iso_timestamp(std::string_view text);

}  // namespace fbl::web::hooks
