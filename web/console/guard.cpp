#include "web/console/guard.h"

#include "common/crypto.h"
#include "common/log.h"
#include "store/store.h"
#include "web/console/form_fields.h"
#include "web/console/texts.h"

namespace fbl::web::console {
bool cookie_is_secure(const Request& request, const config::ConsoleSettings& settings) {
    switch (settings.secure_cookie) {
        case config::SecureCookie::always:
            return true;
        case config::SecureCookie::never:
            return false;
        case config::SecureCookie::automatic:
            break;
    }
    return request.secure;
}

namespace {

std::string cookie_attributes(const Request& request, const config::ConsoleSettings& settings) {
    return std::string("; Path=/console/; HttpOnly; SameSite=Strict") +
           (cookie_is_secure(request, settings) ? "; Secure" : "");
}

Response to_login(const Request& request) {
    std::string next = request.path + (request.query.empty() ? "" : "?" + request.query);
    if (request.method != Method::get || !is_console_path(next)) {
        next = "/console/";
    }
    return see_other("/console/login?next=" + query_encoded(next));
}

Response refused(ConsoleRequest& request, std::string_view message_key) {
    Page page{"forbidden", "", "", std::string(text(request.language, message_key)),
              Status::forbidden};
    return html_page(request, page);
}

}  // namespace

Language console_language(const Request& request) {
    std::string chosen = cookie_value(request, "fbl_lang");
    if (chosen == "nb") {
        return Language::norwegian_bokmal;
    }
    if (chosen == "en") {
        return Language::english;
    }
    return preferred_language(request.headers.find("Accept-Language").value_or(""));
}

std::string session_cookie(const std::string& id, const Request& request,
                           const config::ConsoleSettings& settings) {
    return std::string(kSessionCookie) + "=" + id + cookie_attributes(request, settings);
}

std::string expired_session_cookie(const Request& request,
                                   const config::ConsoleSettings& settings) {
    return std::string(kSessionCookie) + "=" + cookie_attributes(request, settings) + "; Max-Age=0";
}

bool csrf_matches(const ConsoleRequest& request) {
    if (!request.session) {
        return false;
    }
    std::string sent = request.form.get("csrf");
    return !sent.empty() && crypto::same_in_constant_time(sent, request.session->csrf_token);
}

Handler guarded(ConsoleServices& services, Role needed, ConsoleHandler handler) {
    return [&services, needed, handler = std::move(handler)](const Request& http) -> Response {
        ConsoleRequest request(http, console_language(http));
        auto now = SessionTable::Clock::now();
        request.session = services.sessions.use(cookie_value(http, kSessionCookie), now);
        if (!request.session) {
            if (http.method == Method::get || http.method == Method::head) {
                return to_login(http);
            }
            return text_response(Status::forbidden, "not logged in\n");
        }
        // The users file decides, every request: a removed user is out, a
        // changed role applies now.
        auto current = services.users.find(request.user().name);
        if (!current) {
            services.sessions.close(request.session->id);
            return to_login(http);
        }
        if (current->role != request.user().role) {
            services.sessions.update_user(request.session->id, *current);
            request.session->user = *current;
        }
        if (http.method == Method::post && !csrf_matches(request)) {
            log::warning("console: {} sent a form without a valid CSRF token ({})",
                         request.user().name, http.path);
            return refused(request, "bad_form");
        }
        if (needed == Role::admin && request.user().role != Role::admin) {
            return refused(request, "forbidden_admin");
        }
        try {
            return handler(request);
        } catch (const store::StoreUnavailable& error) {
            log::warning("console: the store does not answer: {}", error.what());
            services.store.failed();
            Page page{"console", "", "", std::string(text(request.language, "store_down")),
                      Status::service_unavailable};
            return html_page(request, page);
        }
    };
}

}  // namespace fbl::web::console
