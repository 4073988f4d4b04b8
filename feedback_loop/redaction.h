#pragma once

#include <optional>
#include <string>
#include <string_view>

// Providers hide the complainant behind placeholders; suppressing one would
// block a stranger or nobody. These are recognised and never returned as a
// recipient.
namespace fbl::feedback_loop {

// Why an address is a placeholder rather than a mailbox.
enum class Placeholder {
    redacted,        // "redacted@aol.com": the provider hid the complainant
    undisclosed,     // "undisclosed-recipients@..."
    hashed,          // a hex digest as local part
    masked,          // "jo***@", "xxxx"
    not_an_address,  // no local part or no domain at all
};
const char* to_string(Placeholder placeholder);  // "redacted", ..., "not an address"

// Whether a provider stood in for the complainant: everything but
// not_an_address (that is just noise).
inline bool hides_a_recipient(Placeholder placeholder) {
    return placeholder != Placeholder::not_an_address;
}

// nullopt for a real mailbox.
std::optional<Placeholder> placeholder_reason(std::string_view address);

}  // namespace fbl::feedback_loop
