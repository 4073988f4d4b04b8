#include "web/console/static_assets.h"

#include "web/console/assets.h"
#include "web/console/page.h"

namespace fbl::web::console {

Response static_asset(const Request& request) {
    std::string_view name = request.path;
    name.remove_prefix(std::string_view("/console/assets/").size());
    ContentType type;
    if (name == "console.css") {
        type = ContentType::text_css;
    } else if (name == "console.js") {
        type = ContentType::text_javascript;
    } else {
        return text_response(Status::not_found, "not found\n");
    }
    Response response;
    response.content_type = type;
    response.body = std::string(*asset(name));
    add_console_headers(response);
    return response;
}

}  // namespace fbl::web::console
