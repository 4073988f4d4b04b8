#include "web/console/login.h"

#include "common/crypto.h"
#include "common/log.h"
#include "web/console/guard.h"
#include "web/console/page.h"
#include "web/console/texts.h"

namespace fbl::web::console {
namespace {

namespace mustache = kainjow::mustache;

constexpr const char* kLoginCookie = "fbl_login";
constexpr std::size_t kMaxNameBytes = 64;
constexpr std::size_t kMaxPasswordBytes = 1024;

std::string next_path(const FormFields& fields) {
    std::string next = fields.get("next");
    return is_console_path(next) ? next : "/console/";
}

Response login_form(const ConsoleRequest& request, const config::ConsoleSettings& settings,
                    std::string message, Status status) {
    std::string token = crypto::base64url_encode(crypto::random_bytes(32));
    mustache::data data;
    data.set("csrf", token);
    data.set("next", next_path(request.http.method == Method::post ? request.form : request.query));
    Page page{"log_in", "", render("login.mustache", std::move(data), request), std::move(message),
              status};
    auto response = html_page(request, page);
    response.headers.add("Set-Cookie",
                         std::string(kLoginCookie) + "=" + token +
                             "; Path=/console/; HttpOnly; SameSite=Strict" +
                             (cookie_is_secure(request.http, settings) ? "; Secure" : ""));
    return response;
}

bool login_token_matches(const ConsoleRequest& request) {
    std::string sent = request.form.get("csrf");
    std::string expected = cookie_value(request.http, kLoginCookie);
    return !sent.empty() && crypto::same_in_constant_time(sent, expected);
}

}  // namespace

Response login_page(const Request& http, ConsoleServices& services) {
    ConsoleRequest request(http, console_language(http));
    if (services.sessions.use(cookie_value(http, kSessionCookie), SessionTable::Clock::now())) {
        return see_other(next_path(request.query));
    }
    return login_form(request, services.config()->web.console, "", Status::ok);
}

Response log_in(const Request& http, ConsoleServices& services) {
    ConsoleRequest request(http, console_language(http));
    const auto& settings = services.config()->web.console;
    RateLimit limit{settings.login_per_second, static_cast<double>(settings.login_burst)};
    if (!services.login_limiter.allow(http.client_address, limit, RateLimiter::Clock::now())) {
        return login_form(request, settings, std::string(text(request.language, "login_throttled")),
                          Status::too_many_requests);
    }
    if (!login_token_matches(request)) {
        return login_form(request, settings, std::string(text(request.language, "login_expired")),
                          Status::forbidden);
    }
    std::string name = request.form.get("user");
    std::string password = request.form.get("password");
    std::optional<ConsoleUser> user;
    if (!name.empty() && name.size() <= kMaxNameBytes && password.size() <= kMaxPasswordBytes) {
        user = services.users.authenticate(name, password);
    }
    if (!user) {
        log::warning("console: failed login from {}", http.client_address);
        return login_form(request, settings, std::string(text(request.language, "login_failed")),
                          Status::unauthorized);
    }
    auto session = services.sessions.open(*user, SessionTable::Clock::now());
    log::notice("console: {} logged in from {}", user->name, http.client_address);
    auto response = see_other(next_path(request.form));
    response.headers.add("Set-Cookie", session_cookie(session.id, http, settings));
    response.headers.add("Set-Cookie", std::string(kLoginCookie) +
                                           "=; Path=/console/; HttpOnly; SameSite=Strict; "
                                           "Max-Age=0");
    return response;
}

Response log_out(const Request& http, ConsoleServices& services) {
    auto handler = guarded(services, Role::viewer, [&services](ConsoleRequest& request) {
        services.sessions.close(request.session->id);
        auto response = see_other("/console/login");
        response.headers.add("Set-Cookie",
                             expired_session_cookie(request.http, services.config()->web.console));
        return response;
    });
    return handler(http);
}

Response switch_language(const Request& http) {
    FormFields query(http.query);
    std::string to = query.get("to");
    std::string back = query.get("back");
    auto response = see_other(is_console_path(back) ? back : "/console/");
    if (to == "en" || to == "nb") {
        response.headers.add("Set-Cookie", "fbl_lang=" + to +
                                               "; Path=/console/; SameSite=Strict; "
                                               "Max-Age=31536000");
    }
    return response;
}

}  // namespace fbl::web::console
