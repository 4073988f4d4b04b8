#include "web/console/console_routes.h"

#include "web/console/complaints_export.h"
#include "web/console/complaints_page.h"
#include "web/console/guard.h"
#include "web/console/login.h"
#include "web/console/mailings_page.h"
#include "web/console/outbox_page.h"
#include "web/console/overview_page.h"
#include "web/console/static_assets.h"
#include "web/console/suppressions_page.h"
#include "web/console/untrusted_page.h"

namespace fbl::web::console {
namespace {

using ConsolePage = Response (*)(ConsoleRequest& request, ConsoleServices& services);

// A page behind the login, for `role` and above.
Handler behind_login(ConsoleServices& services, Role role, ConsolePage page) {
    return guarded(services, role,
                   [&services, page](ConsoleRequest& request) { return page(request, services); });
}

}  // namespace

void add_console_routes(Router& router, ConsoleServices& services) {
    router.add(Method::get, PathMatch::prefix, "/console/assets/", static_asset);
    router.add(Method::get, PathMatch::exact, "/console",
               [](const Request&) { return see_other("/console/"); });
    router.add(Method::get, PathMatch::exact, "/console/login",
               [&services](const Request& request) { return login_page(request, services); });
    router.add(Method::post, PathMatch::exact, "/console/login",
               [&services](const Request& request) { return log_in(request, services); });
    router.add(Method::post, PathMatch::exact, "/console/logout",
               [&services](const Request& request) { return log_out(request, services); });
    router.add(Method::get, PathMatch::exact, "/console/language", switch_language);

    auto viewer = [&](Method method, const char* path, ConsolePage page) {
        router.add(method, PathMatch::exact, path, behind_login(services, Role::viewer, page));
    };
    auto admin = [&](Method method, const char* path, ConsolePage page) {
        router.add(method, PathMatch::exact, path, behind_login(services, Role::admin, page));
    };
    viewer(Method::get, "/console/", overview_page);
    viewer(Method::get, "/console/complaints", complaints_page);
    viewer(Method::post, "/console/complaints/export", export_complaints);
    viewer(Method::get, "/console/mailings", mailings_page);
    viewer(Method::get, "/console/suppressions", suppressions_page);
    viewer(Method::get, "/console/suppressions/entry", suppression_entry_page);
    viewer(Method::get, "/console/suppressions/export", export_suppressions);
    admin(Method::post, "/console/suppressions/add", add_suppression);
    admin(Method::post, "/console/suppressions/remove", remove_suppression);
    viewer(Method::get, "/console/untrusted", untrusted_page);
    admin(Method::post, "/console/untrusted/reevaluate", reevaluate_report);
    viewer(Method::get, "/console/outbox", outbox_page);
    admin(Method::post, "/console/outbox/retry", retry_job);
}

}  // namespace fbl::web::console
