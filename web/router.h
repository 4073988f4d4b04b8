#pragma once

#include <functional>
#include <string>
#include <vector>

#include "web/http.h"

// Method + path -> handler. Adding an endpoint is one handler function and
// one add() line in web/routes.cpp.
namespace fbl::web {

using Handler = std::function<Response(const Request&)>;

// Exact: "/healthz" only. Prefix: "/u/" and everything under it (the
// handler reads the rest of the path).
enum class PathMatch { exact, prefix };

class Router {
  public:
    Router& add(Method method, PathMatch match, std::string path, Handler handler);

    // The handler's answer; 404 when no route has the path, 405 (with
    // Allow) when routes have it for other methods. HEAD is served by the
    // GET route (the server sends no body). An exact route beats a prefix,
    // a longer prefix a shorter one.
    Response route(const Request& request) const;

  private:
    struct Route {
        Method method;
        PathMatch match;
        std::string path;
        Handler handler;
    };
    // How well a route's path fits (0: not at all).
    static std::size_t fit(const Route& route, const std::string& path);
    // 405 with Allow: the methods of the routes that fit the path best.
    Response method_not_allowed(const std::string& path, std::size_t path_fit) const;

    std::vector<Route> routes_;
};

}  // namespace fbl::web
