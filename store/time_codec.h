#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "store/records.h"

// How the store keeps time: integer microseconds since the Unix epoch (UTC).
namespace fbl::store {

inline std::int64_t to_micros(TimePoint time) {
    return std::chrono::duration_cast<std::chrono::microseconds>(time.time_since_epoch()).count();
}

inline TimePoint from_micros(std::int64_t micros) {
    return TimePoint(
        std::chrono::duration_cast<TimePoint::duration>(std::chrono::microseconds(micros)));
}

inline std::optional<std::int64_t> optional_to_micros(const std::optional<TimePoint>& time) {
    return time ? std::optional(to_micros(*time)) : std::nullopt;
}

inline std::optional<TimePoint> optional_from_micros(const std::optional<std::int64_t>& micros) {
    return micros ? std::optional(from_micros(*micros)) : std::nullopt;
}

inline std::int64_t now_micros() {
    return to_micros(std::chrono::system_clock::now());
}

}  // namespace fbl::store
