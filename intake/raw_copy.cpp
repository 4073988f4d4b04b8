#include "intake/raw_copy.h"

#include "common/crypto.h"

namespace fbl::intake {

std::string raw_copy(std::string_view raw, std::uint64_t limit) {
    if (raw.empty() || raw.size() > limit) {
        return {};
    }
    return crypto::base64_encode(raw);
}

std::optional<std::string> from_raw_copy(std::string_view copy) {
    if (copy.empty()) {
        return std::nullopt;  // "" is what raw_copy stores for "no copy kept"
    }
    return crypto::base64_decode(copy);
}

}  // namespace fbl::intake
