#include "feedback_loop/redaction.h"

#include <cctype>

#include "common/text.h"
#include "feedback_loop/field_block.h"

namespace fbl::feedback_loop {
namespace {

// Hex digests start at 32 characters (MD5); shorter strings are too often
// real local parts.
constexpr std::size_t kMinHashLength = 32;

bool looks_hashed(std::string_view local) {
    if (local.size() < kMinHashLength) {
        return false;
    }
    bool digit = false;
    bool letter = false;
    for (char c : local) {
        auto u = static_cast<unsigned char>(c);
        if (std::isdigit(u)) {
            digit = true;
        } else if (std::isalpha(u)) {
            letter = true;
        } else if (c != '_' && c != '-' && c != '=') {
            return false;  // a dot or '+' means a composed, human-made name
        }
    }
    return digit && letter;
}

bool looks_masked(std::string_view text) {
    return text.find("xxxx") != std::string_view::npos ||
           text.find("***") != std::string_view::npos || text.find("...") != std::string_view::npos;
}

}  // namespace

const char* to_string(Placeholder placeholder) {
    switch (placeholder) {
        case Placeholder::redacted:
            return "redacted";
        case Placeholder::undisclosed:
            return "undisclosed";
        case Placeholder::hashed:
            return "hashed";
        case Placeholder::masked:
            return "masked";
        case Placeholder::not_an_address:
            break;
    }
    return "not an address";
}

std::optional<Placeholder> placeholder_reason(std::string_view address) {
    std::string lowered = text::ascii_lower(trim(address));
    std::size_t at = lowered.rfind('@');
    if (at == std::string::npos || at == 0 || at + 1 == lowered.size()) {
        return Placeholder::not_an_address;
    }
    std::string_view local = std::string_view(lowered).substr(0, at);
    std::string_view domain = std::string_view(lowered).substr(at + 1);
    if (local.find("redacted") != std::string_view::npos ||
        domain.find("redacted") != std::string_view::npos) {
        return Placeholder::redacted;
    }
    if (local.rfind("undisclosed", 0) == 0 || local.rfind("\"undisclosed", 0) == 0) {
        return Placeholder::undisclosed;
    }
    if (looks_hashed(local)) {
        return Placeholder::hashed;
    }
    if (looks_masked(local) || looks_masked(domain)) {
        return Placeholder::masked;
    }
    return std::nullopt;
}

}  // namespace fbl::feedback_loop
