#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace fbl {

// "90s", "15m", "72h", "30d", "2w", or a bare number of seconds.
std::optional<std::chrono::seconds> parse_duration(std::string_view text);
// "512", "64KiB", "10MiB", "1GiB" (also kB/MB/GB as powers of 1000).
std::optional<std::uint64_t> parse_size(std::string_view text);
std::string format_duration(std::chrono::seconds duration);

}  // namespace fbl
