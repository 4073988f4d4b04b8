#include "intake/raw_copy.h"

#include <openssl/evp.h>

namespace fbl::intake {

std::string raw_copy(std::string_view raw, std::uint64_t limit) {
    if (raw.empty() || raw.size() > limit) {
        return {};
    }
    std::string copy(4 * ((raw.size() + 2) / 3), '\0');
    int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(copy.data()),
                                  reinterpret_cast<const unsigned char*>(raw.data()),
                                  static_cast<int>(raw.size()));
    copy.resize(static_cast<std::size_t>(written));
    return copy;
}

std::optional<std::string> from_raw_copy(std::string_view copy) {
    if (copy.empty() || copy.size() % 4 != 0) {
        return std::nullopt;
    }
    std::string raw(copy.size() / 4 * 3, '\0');
    int written = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(raw.data()),
                                  reinterpret_cast<const unsigned char*>(copy.data()),
                                  static_cast<int>(copy.size()));
    if (written < 0) {
        return std::nullopt;
    }
    // EVP_DecodeBlock counts the padding as zero bytes.
    std::size_t padding = copy.ends_with("==") ? 2 : copy.ends_with('=') ? 1 : 0;
    raw.resize(static_cast<std::size_t>(written) - padding);
    return raw;
}

}  // namespace fbl::intake
