#pragma once

#include <string>
#include <string_view>

#include "web/http.h"
#include "web/language.h"

// The pages a person sees at /u/{token}, in English and Norwegian bokmål.
// Mustache templates (kainjow's, from Debian) render them, escaping every
// value; the answers forbid scripts, framing, caching and the Referer that
// would carry the token elsewhere.
namespace fbl::web {

enum class UnsubscribePage {
    ask,          // GET: what will happen, and a button that POSTs
    done,         // after the POST committed
    invalid,      // the link is not one of ours, or was edited
    expired,      // ours, but older than unsubscribe.token_lifetime
    unavailable,  // the store could not commit: try again
    too_many,     // rate limited
};

// `address` is shown masked ("a•••@example.com") on the ask page only.
Response unsubscribe_page(UnsubscribePage page, Language language, Status status,
                          std::string_view address = {});

// "alice@example.com" -> "a•••@example.com": enough for the person to
// recognise, not enough for whoever the mail was forwarded to.
std::string masked_address(std::string_view address);

}  // namespace fbl::web
