#pragma once

#include <string_view>

#include <kainjow/mustache.hpp>

#include "web/language.h"

// Every word the console shows, in English and Norwegian bokmål. Templates
// read them as {{t.key}}; code that builds a message reads text().
namespace fbl::web::console {

// All texts of one language as a mustache object, for the "t" variable.
kainjow::mustache::data texts(Language language);
// One text; the key itself when unknown (a missing translation shows, it
// does not break the page).
std::string_view text(Language language, std::string_view key);

}  // namespace fbl::web::console
