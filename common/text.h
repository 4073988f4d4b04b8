#pragma once

#include <string>
#include <string_view>

// ASCII text helpers that do not depend on the C locale: std::tolower and
// strcasecmp follow it, and std::tolower on a plain char is undefined for
// bytes >= 0x80. Header names, domains and keywords are ASCII-case-insensitive;
// other bytes compare as they are.
namespace fbl::text {

char ascii_lower(char c);
std::string ascii_lower(std::string_view text);

bool iequals(std::string_view a, std::string_view b);

// What follows the last '@', as written; "" without one.
std::string domain_of(std::string_view address);

// "<x@y>" -> "x@y": an envelope address or a Message-ID without its angle
// brackets and surrounding blanks.
std::string strip_brackets(std::string_view text);

}  // namespace fbl::text
