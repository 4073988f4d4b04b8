#pragma once

#include <string_view>

// The languages fblweb's pages speak, chosen from Accept-Language.
namespace fbl::web {

enum class Language { english, norwegian_bokmal };

// The supported language the client prefers most (RFC 9110 12.5.4 q
// values; "nb", "no" and "nn" read Norwegian bokmål), else English. Reads
// at most the first 32 entries of the header.
Language preferred_language(std::string_view accept_language);

const char* html_lang(Language language);  // "en", "nb"

}  // namespace fbl::web
