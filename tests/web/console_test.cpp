// The console through its routes: login, sessions, CSRF, roles, escaping,
// the complaints page's filters and pages, over a real SQLite store filled
// through the real intake path.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/web/console_world.h"

namespace fbl::web::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string header(const Response& response, const std::string& name) {
    return std::string(response.headers.find(name).value_or(""));
}

TEST(Console, APageWithoutASessionSendsTheBrowserToTheLoginPage) {
    ConsoleWorld world;
    auto answer = world.serve(ConsoleWorld::get("/console/complaints?mailing=nov"));
    EXPECT_EQ(answer.status, Status::see_other);
    EXPECT_EQ(header(answer, "Location"),
              "/console/login?next=/console/complaints%3Fmailing%3Dnov");
    EXPECT_EQ(world.serve(ConsoleWorld::post("/console/logout", "")).status, Status::forbidden);
}

TEST(Console, LoggingInGivesAStrictHttpOnlyCookieAndTheWrongPasswordNone) {
    ConsoleWorld world;
    EXPECT_FALSE(world.log_in("ada", "wrong password"));
    EXPECT_FALSE(world.log_in("nobody", "correct horse battery"));
    auto browser = world.log_in("ada", "correct horse battery");
    ASSERT_TRUE(browser);
    EXPECT_FALSE(browser->csrf.empty());
    auto page = world.serve(ConsoleWorld::get("/console/", browser->cookie));
    EXPECT_EQ(page.status, Status::ok);
    EXPECT_THAT(page.body, HasSubstr("<strong>ada</strong> (admin)"));

    auto form = world.serve(ConsoleWorld::get("/console/login"));
    auto answer = world.serve(ConsoleWorld::post(
        "/console/login",
        "csrf=" + ConsoleWorld::csrf_in(form.body) + "&user=ada&password=correct+horse+battery",
        ConsoleWorld::cookie_from(form, "fbl_login")));
    std::string set_cookie;
    for (const auto& [name, value] : answer.headers.fields()) {
        if (name == "Set-Cookie" && value.starts_with("fbl_session=")) {
            set_cookie = value;
        }
    }
    EXPECT_THAT(set_cookie, HasSubstr("; HttpOnly"));
    EXPECT_THAT(set_cookie, HasSubstr("; SameSite=Strict"));
    EXPECT_THAT(set_cookie, HasSubstr("; Path=/console/"));
    EXPECT_THAT(set_cookie, Not(HasSubstr("Secure")));  // plain http, no proxy said https
}

TEST(Console, TheCookieIsSecureBehindTlsOrWhenConfigured) {
    ConsoleWorld world;
    auto form = world.serve(ConsoleWorld::get("/console/login"));
    auto request = ConsoleWorld::post(
        "/console/login",
        "csrf=" + ConsoleWorld::csrf_in(form.body) + "&user=ada&password=correct+horse+battery",
        ConsoleWorld::cookie_from(form, "fbl_login"));
    request.secure = true;
    auto answer = world.serve(request);
    EXPECT_THAT(header(answer, "Set-Cookie"), HasSubstr("; Secure"));
    world.config().web.console.secure_cookie = config::SecureCookie::always;
    EXPECT_THAT(header(world.serve(ConsoleWorld::get("/console/login")), "Set-Cookie"),
                HasSubstr("; Secure"));
}

TEST(Console, ALoginWithoutItsFormTokenIsRefused) {
    ConsoleWorld world;
    auto answer = world.serve(
        ConsoleWorld::post("/console/login", "user=ada&password=correct+horse+battery"));
    EXPECT_EQ(answer.status, Status::forbidden);
    EXPECT_TRUE(ConsoleWorld::cookie_from(answer, "fbl_session").empty());
}

TEST(Console, LoginAttemptsAreRateLimitedPerClient) {
    ConsoleWorld world;
    int throttled = 0;
    for (int i = 0; i < 12; ++i) {
        auto form = world.serve(ConsoleWorld::get("/console/login"));
        auto answer = world.serve(ConsoleWorld::post(
            "/console/login", "csrf=" + ConsoleWorld::csrf_in(form.body) + "&user=ada&password=x",
            ConsoleWorld::cookie_from(form, "fbl_login")));
        throttled += answer.status == Status::too_many_requests ? 1 : 0;
    }
    EXPECT_GE(throttled, 2);                                     // the burst is 10
    EXPECT_FALSE(world.log_in("ada", "correct horse battery"));  // even the right password waits
}

TEST(Console, TheLoginPageNeverRedirectsAwayFromTheConsole) {
    ConsoleWorld world;
    for (std::string next : {"https%3A%2F%2Fevil.example%2F", "%2F%2Fevil.example%2F",
                             "%2Fconsole%2F%2F%2Fevil.example", "%2Fconsole%2F%5Cevil"}) {
        auto form = world.serve(ConsoleWorld::get("/console/login"));
        auto answer = world.serve(ConsoleWorld::post("/console/login",
                                                     "csrf=" + ConsoleWorld::csrf_in(form.body) +
                                                         "&next=" + next +
                                                         "&user=ada&password=correct+horse+battery",
                                                     ConsoleWorld::cookie_from(form, "fbl_login")));
        EXPECT_EQ(header(answer, "Location"), "/console/") << next;
    }
    auto switched =
        world.serve(ConsoleWorld::get("/console/language?to=nb&back=%2F%2Fevil.example%2F"));
    EXPECT_EQ(header(switched, "Location"), "/console/");
}

TEST(Console, AFormWithoutTheSessionsCsrfTokenIsRefused) {
    ConsoleWorld world;
    auto browser = world.log_in("ada", "correct horse battery");
    ASSERT_TRUE(browser);
    EXPECT_EQ(world.serve(ConsoleWorld::post("/console/logout", "", browser->cookie)).status,
              Status::forbidden);
    EXPECT_EQ(
        world.serve(ConsoleWorld::post("/console/logout", "csrf=forged", browser->cookie)).status,
        Status::forbidden);
    // Still logged in: the forged form changed nothing.
    EXPECT_EQ(world.serve(ConsoleWorld::get("/console/", browser->cookie)).status, Status::ok);
    auto out = world.serve(
        ConsoleWorld::post("/console/logout", "csrf=" + browser->csrf, browser->cookie));
    EXPECT_EQ(out.status, Status::see_other);
    EXPECT_EQ(world.serve(ConsoleWorld::get("/console/", browser->cookie)).status,
              Status::see_other);
}

TEST(Console, ARemovedUsersSessionEndsAtTheNextRequest) {
    ConsoleWorld world;
    auto browser = world.log_in("vic", "viewer password 1");
    ASSERT_TRUE(browser);
    world.users().remove("vic");
    EXPECT_EQ(world.serve(ConsoleWorld::get("/console/", browser->cookie)).status,
              Status::see_other);
    EXPECT_EQ(world.sessions().size(), 0u);
}

TEST(Console, EveryPageCarriesTheSecurityHeaders) {
    ConsoleWorld world;
    auto page = world.serve(ConsoleWorld::get("/console/login"));
    EXPECT_THAT(header(page, "Content-Security-Policy"), HasSubstr("script-src 'self'"));
    EXPECT_THAT(header(page, "Content-Security-Policy"), HasSubstr("frame-ancestors 'none'"));
    EXPECT_EQ(header(page, "X-Content-Type-Options"), "nosniff");
    EXPECT_EQ(header(page, "Cache-Control"), "no-store");
    auto css = world.serve(ConsoleWorld::get("/console/assets/console.css"));
    EXPECT_EQ(css.status, Status::ok);
    EXPECT_EQ(css.content_type, ContentType::text_css);
    // Templates are not assets a browser may fetch.
    EXPECT_EQ(world.serve(ConsoleWorld::get("/console/assets/layout.mustache")).status,
              Status::not_found);
}

TEST(Console, TheLanguageFollowsAcceptLanguageAndTheSwitch) {
    ConsoleWorld world;
    auto request = ConsoleWorld::get("/console/login");
    request.headers.add("Accept-Language", "nb-NO,nb;q=0.9,en;q=0.5");
    EXPECT_THAT(world.serve(request).body, HasSubstr("Brukernavn"));
    auto switched =
        world.serve(ConsoleWorld::get("/console/language?to=en&back=%2Fconsole%2Flogin"));
    EXPECT_EQ(header(switched, "Location"), "/console/login");
    auto lang = ConsoleWorld::cookie_from(switched, "fbl_lang");
    EXPECT_EQ(lang, "fbl_lang=en");
    request.headers.add("Cookie", lang);
    EXPECT_THAT(world.serve(request).body, HasSubstr("User name"));
}

TEST(ComplaintsPage, ShowsEachComplaintWithItsMailingAndEscapesTheSubject) {
    ConsoleWorld world;
    ASSERT_TRUE(
        world.take_report("alice@example.org", "nov-2026", "<script>alert(1)</script>").trusted);
    ASSERT_TRUE(world.take_report("bob@example.net", "dec-2026").stored);
    auto browser = world.log_in("vic", "viewer password 1");
    ASSERT_TRUE(browser);
    auto page = world.serve(ConsoleWorld::get("/console/complaints", browser->cookie));
    ASSERT_EQ(page.status, Status::ok);
    EXPECT_THAT(page.body, HasSubstr("alice@example.org"));
    EXPECT_THAT(page.body, HasSubstr("bob@example.net"));
    EXPECT_THAT(page.body, HasSubstr("&lt;script&gt;alert(1)&lt;/script&gt;"));
    EXPECT_THAT(page.body, Not(HasSubstr("<script>alert")));
    EXPECT_THAT(page.body, HasSubstr("2 matching"));

    auto filtered =
        world.serve(ConsoleWorld::get("/console/complaints?mailing=dec-2026", browser->cookie));
    EXPECT_THAT(filtered.body, HasSubstr("bob@example.net"));
    EXPECT_THAT(filtered.body, Not(HasSubstr("alice@example.org")));
    EXPECT_THAT(filtered.body, HasSubstr("1 matching"));
    // The export form carries the filter, for "all matching".
    EXPECT_THAT(filtered.body, HasSubstr(R"(name="mailing" value="dec-2026")"));
}

TEST(ComplaintsPage, NextPageLinksVisitEveryComplaintOnce) {
    ConsoleWorld world;
    for (int i = 0; i < 120; ++i) {
        ASSERT_TRUE(
            world.take_report("reader" + std::to_string(i) + "@example.org", "big-mailing").stored);
    }
    auto browser = world.log_in("vic", "viewer password 1");
    ASSERT_TRUE(browser);
    std::set<std::string> seen;
    std::string path = "/console/complaints?mailing=big-mailing&sort=recipient&dir=asc";
    for (int pages = 0; pages < 10 && !path.empty(); ++pages) {
        auto page = world.serve(ConsoleWorld::get(path, browser->cookie));
        ASSERT_EQ(page.status, Status::ok);
        static const std::regex row(R"re(name="id" value="(\d+)")re");
        for (auto it = std::sregex_iterator(page.body.begin(), page.body.end(), row);
             it != std::sregex_iterator(); ++it) {
            EXPECT_TRUE(seen.insert((*it)[1].str()).second) << "seen twice: " << (*it)[1];
        }
        std::smatch next;
        static const std::regex link(R"re(<a href="([^"]+)" id="next-page">)re");
        path.clear();
        if (std::regex_search(page.body, next, link)) {
            path = next[1].str();
            for (std::string::size_type at; (at = path.find("&amp;")) != std::string::npos;) {
                path.replace(at, 5, "&");
            }
        }
    }
    EXPECT_EQ(seen.size(), 120u);
}

TEST(ComplaintsPage, AStrangeFilterValueIsIgnoredWithANoteNotAnError) {
    ConsoleWorld world;
    auto browser = world.log_in("vic", "viewer password 1");
    ASSERT_TRUE(browser);
    auto page = world.serve(ConsoleWorld::get(
        "/console/complaints?since=yesterday&source=%3Cx%3E&trusted=maybe&sort=%27&after_id=x",
        browser->cookie));
    EXPECT_EQ(page.status, Status::ok);
    EXPECT_THAT(page.body, HasSubstr("was not understood"));
    EXPECT_THAT(page.body, Not(HasSubstr("<x>")));
}

std::string streamed(const Response& response) {
    std::string body;
    if (response.stream) {
        response.stream([&body](std::string_view piece) { body.append(piece); });
    }
    return body;
}

TEST(ComplaintsExport, HoldsExactlyTheCheckedRows) {
    ConsoleWorld world;
    auto first = world.take_report("alice@example.org", "nov-2026");
    auto second = world.take_report("bob@example.org", "nov-2026");
    ASSERT_TRUE(world.take_report("carol@example.org", "nov-2026").stored);
    auto browser = world.log_in("vic", "viewer password 1");
    ASSERT_TRUE(browser);
    auto answer = world.serve(ConsoleWorld::post(
        "/console/complaints/export",
        "csrf=" + browser->csrf + "&format=csv&mailing=nov-2026&id=" +
            std::to_string(first.complaint_id) + "&id=" + std::to_string(second.complaint_id),
        browser->cookie));
    ASSERT_EQ(answer.status, Status::ok);
    EXPECT_EQ(answer.content_type, ContentType::text_csv);
    EXPECT_THAT(header(answer, "Content-Disposition"),
                HasSubstr("attachment; filename=\"complaints-"));
    auto csv = streamed(answer);
    EXPECT_THAT(csv, HasSubstr("alice@example.org"));
    EXPECT_THAT(csv, HasSubstr("bob@example.org"));
    EXPECT_THAT(csv, Not(HasSubstr("carol@example.org")));
}

TEST(ComplaintsExport, AllMatchingFollowsTheFilterAndJsonParses) {
    ConsoleWorld world;
    ASSERT_TRUE(world.take_report("alice@example.org", "nov-2026").stored);
    ASSERT_TRUE(world.take_report("bob@example.org", "dec-2026").stored);
    auto browser = world.log_in("vic", "viewer password 1");
    ASSERT_TRUE(browser);
    auto answer = world.serve(ConsoleWorld::post(
        "/console/complaints/export",
        "csrf=" + browser->csrf + "&format=json&all_matching=1&mailing=dec-2026", browser->cookie));
    ASSERT_EQ(answer.status, Status::ok);
    auto rows = nlohmann::json::parse(streamed(answer));
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0]["recipient"], "bob@example.org");
    EXPECT_EQ(rows[0]["mailing"], "dec-2026");
}

TEST(ComplaintsExport, RefusesNoSelectionTooManyIdsAndAForgedForm) {
    ConsoleWorld world;
    auto browser = world.log_in("vic", "viewer password 1");
    ASSERT_TRUE(browser);
    auto post = [&](const std::string& body) {
        return world.serve(ConsoleWorld::post("/console/complaints/export", body, browser->cookie));
    };
    EXPECT_EQ(post("csrf=" + browser->csrf + "&format=csv").status, Status::bad_request);
    EXPECT_EQ(post("csrf=" + browser->csrf + "&format=exe&all_matching=1").status,
              Status::bad_request);
    EXPECT_EQ(post("csrf=" + browser->csrf + "&format=csv&id=1%20OR%201").status,
              Status::bad_request);
    std::string many = "csrf=" + browser->csrf + "&format=csv";
    for (int i = 1; i <= 10001; ++i) {
        many += "&id=" + std::to_string(i);
    }
    EXPECT_EQ(post(many).status, Status::bad_request);
    EXPECT_EQ(post("format=csv&all_matching=1").status, Status::forbidden);
}

TEST(SuppressionsPage, AViewerCannotLiftASuppressionAndAnAdminNeedsANoteAndConsent) {
    ConsoleWorld world;
    ASSERT_TRUE(world.take_report("alice@example.org", "nov-2026").trusted);
    auto viewer = world.log_in("vic", "viewer password 1");
    auto admin = world.log_in("ada", "correct horse battery");
    ASSERT_TRUE(viewer && admin);
    auto remove = [&](const Browser& browser, const std::string& extra) {
        return world.serve(ConsoleWorld::post(
            "/console/suppressions/remove",
            "csrf=" + browser.csrf + "&key=alice%40example.org" + extra, browser.cookie));
    };
    EXPECT_EQ(remove(*viewer, "&note=please&confirm_complaint=1").status, Status::forbidden);
    EXPECT_EQ(remove(*admin, "&note=+++").status, Status::bad_request);       // no note
    EXPECT_EQ(remove(*admin, "&note=asked+us").status, Status::bad_request);  // complainer: consent
    ASSERT_TRUE(world.open_store()->find("alice@example.org"));

    auto entry = world.serve(
        ConsoleWorld::get("/console/suppressions/entry?key=alice%40example.org", admin->cookie));
    EXPECT_THAT(entry.body, HasSubstr("id=\"complaint-warning\""));
    EXPECT_THAT(entry.body, HasSubstr("<table id=\"history\">"));
    auto lifted = remove(*admin, "&note=new+consent+by+phone&confirm_complaint=1");
    EXPECT_EQ(lifted.status, Status::see_other);
    EXPECT_FALSE(world.open_store()->find("alice@example.org"));
    auto history = world.open_store()->history("alice@example.org");
    ASSERT_FALSE(history.empty());
    EXPECT_EQ(history.front().actor, "console:ada");
    EXPECT_EQ(history.front().note, "new consent by phone");
}

TEST(SuppressionsPage, AnAdminAddsWithReasonScopeAndExpiryAndBadValuesAreRefused) {
    ConsoleWorld world;
    auto admin = world.log_in("ada", "correct horse battery");
    ASSERT_TRUE(admin);
    auto add = [&](const std::string& fields) {
        return world.serve(ConsoleWorld::post("/console/suppressions/add",
                                              "csrf=" + admin->csrf + "&" + fields, admin->cookie));
    };
    EXPECT_EQ(add("address=not+an+address&reason=manual&scope=all").status, Status::bad_request);
    EXPECT_EQ(add("address=x%40example.org&reason=friendship&scope=all").status,
              Status::bad_request);
    EXPECT_EQ(add("address=x%40example.org&reason=manual&scope=all&expires=soon").status,
              Status::bad_request);
    EXPECT_EQ(add("address=X%40Example.org&reason=manual&scope=all&expires=30d&note=asked").status,
              Status::see_other);
    auto entry = world.open_store()->find("x@example.org");
    ASSERT_TRUE(entry);
    EXPECT_EQ(entry->scope, suppression::Scope::all);
    EXPECT_TRUE(entry->expires_at.has_value());
    EXPECT_EQ(world.open_store()->history("x@example.org").front().actor, "console:ada");
}

TEST(ConsolePages, EveryPageRendersForAViewerOnAnEmptyAndAFilledStore) {
    ConsoleWorld world;
    auto viewer = world.log_in("vic", "viewer password 1");
    ASSERT_TRUE(viewer);
    for (bool filled : {false, true}) {
        if (filled) {
            ASSERT_TRUE(world.take_report("alice@example.org", "nov-2026").stored);
        }
        for (const char* path :
             {"/console/", "/console/complaints", "/console/mailings",
              "/console/mailings?days=all&mailing=nov-2026", "/console/suppressions",
              "/console/untrusted", "/console/outbox", "/console/outbox?state=done"}) {
            auto page = world.serve(ConsoleWorld::get(path, viewer->cookie));
            EXPECT_EQ(page.status, Status::ok) << path;
            EXPECT_THAT(page.body, HasSubstr("</html>")) << path;
        }
    }
}

TEST(ConsoleForms, AHundredThousandFieldsAreReadOnlyUpToTheCap) {
    std::string body;
    for (int i = 0; i < 100000; ++i) {
        body += "id=" + std::to_string(i) + "&";
    }
    console::FormFields fields(body);
    EXPECT_EQ(fields.all("id").size(), 20000u);
    // A field with no name, no value or broken escapes reads as empty, never throws.
    console::FormFields odd("=&&%zz=%&a=%41%4");
    EXPECT_EQ(odd.get("a").substr(0, 1), "A");
}

}  // namespace
}  // namespace fbl::web::testing
