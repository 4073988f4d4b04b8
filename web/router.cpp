#include "web/router.h"

#include <limits>

namespace fbl::web {

Router& Router::add(Method method, PathMatch match, std::string path, Handler handler) {
    routes_.push_back(Route{method, match, std::move(path), std::move(handler)});
    return *this;
}

std::size_t Router::fit(const Route& route, const std::string& path) {
    if (route.match == PathMatch::exact) {
        return route.path == path ? std::numeric_limits<std::size_t>::max() : 0;
    }
    return path.starts_with(route.path) ? route.path.size() : 0;
}

Response Router::route(const Request& request) const {
    Method wanted = request.method == Method::head ? Method::get : request.method;
    const Route* best = nullptr;
    std::size_t best_fit = 0;
    std::size_t path_fit = 0;  // the best fit of any method: the resource exists
    for (const auto& candidate : routes_) {
        std::size_t how_well = fit(candidate, request.path);
        path_fit = std::max(path_fit, how_well);
        if (candidate.method == wanted && how_well > best_fit) {
            best = &candidate;
            best_fit = how_well;
        }
    }
    if (path_fit == 0) {
        return text_response(Status::not_found, "not found\n");
    }
    if (best == nullptr || best_fit < path_fit) {
        return method_not_allowed(request.path, path_fit);
    }
    return best->handler(request);
}

Response Router::method_not_allowed(const std::string& path, std::size_t path_fit) const {
    std::string allow;
    for (const auto& candidate : routes_) {
        if (fit(candidate, path) == path_fit) {
            allow += (allow.empty() ? "" : ", ") + std::string(to_string(candidate.method));
            if (candidate.method == Method::get) {
                allow += ", HEAD";
            }
        }
    }
    auto response = text_response(Status::method_not_allowed, "method not allowed\n");
    response.headers.add("Allow", allow);
    return response;
}

}  // namespace fbl::web
