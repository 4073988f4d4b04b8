#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

// The raw copy an untrusted complaint keeps (issue 14 item 5): base64, so
// any bytes fit a TEXT column in both backends and in `fblctl migrate`.
namespace fbl::intake {

// The copy to store, or "" when `raw` is larger than `limit` (0 keeps none).
std::string raw_copy(std::string_view raw, std::uint64_t limit);

// The message back from a stored copy; nullopt when it is not valid base64.
std::optional<std::string> from_raw_copy(std::string_view copy);

}  // namespace fbl::intake
