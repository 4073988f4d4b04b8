#pragma once

#include <functional>

#include "web/console/console_services.h"
#include "web/console/page.h"
#include "web/router.h"

// Every console page but the login page goes through guarded(): it finds
// the session, re-reads the user's role, checks the CSRF token of a POST
// and the role the page needs, and turns a store outage into a 503 page.
namespace fbl::web::console {

using ConsoleHandler = std::function<Response(ConsoleRequest& request)>;

Handler guarded(ConsoleServices& services, Role needed, ConsoleHandler handler);

// The language the console speaks to this request: the fbl_lang cookie
// (the switch), else Accept-Language.
Language console_language(const Request& request);

// Whether cookies for this request carry Secure (web.console.secure_cookie).
bool cookie_is_secure(const Request& request, const config::ConsoleSettings& settings);

// Set-Cookie values. Path=/console/, HttpOnly, SameSite=Strict, and Secure
// when web.console.secure_cookie says so for this request.
std::string session_cookie(const std::string& id, const Request& request,
                           const config::ConsoleSettings& settings);
std::string expired_session_cookie(const Request& request, const config::ConsoleSettings& settings);

// The CSRF token of a POST matches the session's (constant time).
bool csrf_matches(const ConsoleRequest& request);

inline constexpr const char* kSessionCookie = "fbl_session";

}  // namespace fbl::web::console
