#pragma once

#include <optional>
#include <string>
#include <string_view>

// Providers hide the complainant behind placeholders; suppressing one would
// block a stranger or nobody. These are recognised and never returned as a
// recipient.
namespace fbl::feedback_loop {

// Why `address` is a placeholder rather than a mailbox ("redacted",
// "undisclosed", "hashed", "masked", "not an address"); nullopt for a real one.
std::optional<std::string> placeholder_reason(std::string_view address);

}  // namespace fbl::feedback_loop
