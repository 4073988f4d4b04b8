#pragma once

#include <map>
#include <optional>
#include <regex>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "intake/intake.h"
#include "tests/feedback_loop/fixture.h"
#include "tests/web/web_world.h"
#include "web/console/console_routes.h"
#include "web/console/console_services.h"
#include "web/console/page.h"

// The console's routes over a real SQLite store filled through the real
// intake path, with users from a map instead of a file (the users file has
// its own tests), without a socket.
namespace fbl::web::testing {

class MapUserDirectory : public console::UserDirectory {
  public:
    void set(const std::string& name, const std::string& password, console::Role role) {
        users_[name] = {password, role};
    }
    void remove(const std::string& name) { users_.erase(name); }
    std::optional<console::ConsoleUser> authenticate(std::string_view name,
                                                     std::string_view password) override {
        auto found = users_.find(std::string(name));
        if (found == users_.end() || found->second.first != password) {
            return std::nullopt;
        }
        return console::ConsoleUser{found->first, found->second.second};
    }
    std::optional<console::ConsoleUser> find(std::string_view name) override {
        auto found = users_.find(std::string(name));
        if (found == users_.end()) {
            return std::nullopt;
        }
        return console::ConsoleUser{found->first, found->second.second};
    }

  private:
    std::map<std::string, std::pair<std::string, console::Role>> users_;
};

// A logged-in browser: its session cookie and the CSRF token of its forms.
struct Browser {
    std::string cookie;  // "fbl_session=..."
    std::string csrf;
};

// An ARF report about one recipient of one mailing, in the shape providers
// send, trusted under trust: any.
inline std::string arf_report(const std::string& recipient, const std::string& mailing,
                              const std::string& subject, const std::string& message_id) {
    return "From: feedback@fbl.provider.example\r\n"
           "To: fbl@example.com\r\n"
           "Subject: Abuse report\r\n"
           "Message-ID: <report-" +
           message_id +
           "@fbl.provider.example>\r\n"
           "Date: Mon, 02 Nov 2026 10:15:00 +0000\r\n"
           "MIME-Version: 1.0\r\n"
           "Content-Type: multipart/report; report-type=feedback-report; boundary=\"b\"\r\n\r\n"
           "--b\r\nContent-Type: text/plain\r\n\r\nA complaint.\r\n"
           "--b\r\nContent-Type: message/feedback-report\r\n\r\n"
           "Feedback-Type: abuse\r\nUser-Agent: Test/1.0\r\nVersion: 1\r\n"
           "Original-Rcpt-To: " +
           recipient +
           "\r\n"
           "Arrival-Date: Mon, 02 Nov 2026 10:15:00 +0000\r\n\r\n"
           "--b\r\nContent-Type: message/rfc822\r\n\r\n"
           "From: news@mail.example.com\r\nTo: " +
           recipient +
           "\r\n"
           "Subject: " +
           subject +
           "\r\n"
           "Message-ID: <" +
           message_id +
           "@mail.example.com>\r\n"
           "X-Mailing-ID: " +
           mailing +
           "\r\n\r\nHello.\r\n"
           "--b--\r\n";
}

class ConsoleWorld : public WebWorld {
  public:
    ConsoleWorld()
        : sessions_(std::chrono::hours(1), std::chrono::hours(12)),
          store_(config().store),
          services_{sessions_, users_, login_limiter_, store_, [this] { return shared(); }} {
        config().web.console.enabled = true;
        config().feedback = feedback_loop::test_support::feedback_settings();
        config().feedback.trust = config::TrustPolicy::any;
        users_.set("ada", "correct horse battery", console::Role::admin);
        users_.set("vic", "viewer password 1", console::Role::viewer);
        console::add_console_routes(router_, services_);
        open_store();  // fblmilter made it; the console opens only an existing store
    }

    Response serve(Request request) const { return router_.route(request); }

    static Request get(const std::string& path_and_query, const std::string& cookie = "") {
        Request request;
        request.method = Method::get;
        auto question = path_and_query.find('?');
        request.path = path_and_query.substr(0, question);
        if (question != std::string::npos) {
            request.query = path_and_query.substr(question + 1);
        }
        if (!cookie.empty()) {
            request.headers.add("Cookie", cookie);
        }
        request.client_address = "192.0.2.10";
        return request;
    }
    static Request post(const std::string& path, const std::string& body,
                        const std::string& cookie = "") {
        Request request = get(path, cookie);
        request.method = Method::post;
        request.body = body;
        request.headers.add("Content-Type", "application/x-www-form-urlencoded");
        return request;
    }

    // The first Set-Cookie of `name`, as "name=value".
    static std::string cookie_from(const Response& response, const std::string& name) {
        for (const auto& [field, value] : response.headers.fields()) {
            if (field == "Set-Cookie" && value.starts_with(name + "=")) {
                return value.substr(0, value.find(';'));
            }
        }
        return "";
    }
    static std::string csrf_in(const std::string& html) {
        std::smatch match;
        static const std::regex field(R"re(name="csrf" value="([A-Za-z0-9_-]+)")re");
        return std::regex_search(html, match, field) ? match[1].str() : "";
    }

    // Logs in through the login form as a browser does.
    std::optional<Browser> log_in(const std::string& name, const std::string& password) {
        auto form = serve(get("/console/login"));
        std::string login_cookie = cookie_from(form, "fbl_login");
        std::string token = csrf_in(form.body);
        auto answer = serve(post("/console/login",
                                 "csrf=" + token + "&next=%2Fconsole%2F&user=" + name +
                                     "&password=" + console::query_encoded(password),
                                 login_cookie));
        std::string session = cookie_from(answer, "fbl_session");
        if (answer.status != Status::see_other || session.empty()) {
            return std::nullopt;
        }
        auto page = serve(get("/console/", session));
        return Browser{session, csrf_in(page.body)};
    }

    intake::IntakeResult take_report(const std::string& recipient, const std::string& mailing,
                                     const std::string& subject = "November news") {
        static int counter = 0;
        auto store = open_store();
        return intake::Intake(config(), *store)
            .take(arf_report(recipient, mailing, subject, "m" + std::to_string(++counter)));
    }

    MapUserDirectory& users() { return users_; }
    console::SessionTable& sessions() { return sessions_; }

  private:
    std::shared_ptr<const config::Config> shared() {
        return std::shared_ptr<const config::Config>(std::shared_ptr<void>(), &config());
    }

    MapUserDirectory users_;
    console::SessionTable sessions_;
    RateLimiter login_limiter_;
    console::SharedStore store_;
    console::ConsoleServices services_;
    Router router_;
};

}  // namespace fbl::web::testing
