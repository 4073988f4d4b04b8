#pragma once

#include <functional>
#include <memory>

#include "config/config.h"
#include "web/http.h"

struct mg_context;
struct mg_connection;

namespace fbl::web {

// Takes a request whose client_address is the TCP peer (the dispatcher
// decides the real one) and answers it.
using Dispatch = std::function<Response(Request&)>;

// CivetWeb, configured from web: (listen, worker pool, timeout, TLS), with
// every request handed to one Dispatch. All HTTP parsing is CivetWeb's; this
// file only turns its connection into a Request and a Response into bytes,
// and refuses a body larger than web.max_body before reading it.
class Server {
  public:
    // Listening when it returns; throws std::runtime_error when CivetWeb
    // cannot start (address in use, TLS files unusable).
    Server(const config::WebSettings& settings, Dispatch dispatch);
    ~Server();  // stops accepting and waits for the workers
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

  private:
    static int on_request(mg_connection* connection, void* self);
    int serve(mg_connection* connection);

    config::WebSettings settings_;
    Dispatch dispatch_;
    mg_context* context_ = nullptr;
};

}  // namespace fbl::web
