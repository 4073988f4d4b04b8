#include "web/healthz.h"

namespace fbl::web {

Response healthz(const std::function<bool()>& store_answers) {
    if (store_answers()) {
        return text_response(Status::ok, "ok\n");
    }
    return text_response(Status::service_unavailable, "store unavailable\n");
}

}  // namespace fbl::web
