#pragma once

#include <functional>

#include "web/http.h"

namespace fbl::web {

// GET /healthz: 200 "ok" when the store answers, else 503, so a load
// balancer or monitor stops sending to an fblweb that cannot commit.
Response healthz(const std::function<bool()>& store_answers);

}  // namespace fbl::web
