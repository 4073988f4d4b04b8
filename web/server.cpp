#include "web/server.h"

#include <stdexcept>
#include <string>
#include <vector>

#include <civetweb.h>
#include <openssl/ssl.h>

#include "common/log.h"
#include "web/civetweb_io.h"

namespace fbl::web {
namespace {

// CivetWeb's own messages (bind failures, TLS errors) into our log.
int log_civetweb(const mg_connection*, const char* message) {
    log::warning("http: {}", message);
    return 1;
}

// web.tls has the key in its own file; CivetWeb's ssl_certificate wants
// both in one. Loading them here also sets the floor at TLS 1.2.
int load_tls_files(void* ssl_context, void* user_data) {
    auto* context = static_cast<SSL_CTX*>(ssl_context);
    const auto* tls = static_cast<const config::WebTls*>(user_data);
    if (SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION) != 1 ||
        SSL_CTX_use_certificate_chain_file(context, tls->cert_file.c_str()) != 1 ||
        SSL_CTX_use_PrivateKey_file(context, tls->key_file.c_str(), SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(context) != 1) {
        log::error("web.tls: cannot use {} with {}", tls->cert_file, tls->key_file);
        return -1;
    }
    return 1;
}

std::vector<std::string> civetweb_options(const config::WebSettings& settings) {
    std::string port = metrics::to_string(settings.listen) + (settings.tls.enabled() ? "s" : "");
    std::vector<std::string> options{
        "listening_ports", port, "num_threads", std::to_string(settings.threads),
        "request_timeout_ms", std::to_string(settings.request_timeout.count() * 1000),
        "enable_keep_alive", "yes",
        // We send the headers and the body in two writes: with Nagle the
        // body waits for the client's delayed ACK, 40 ms per request on a
        // kept-alive connection (bench/web measured it).
        "tcp_nodelay", "1",
        // No document_root: CivetWeb serves no files, only our handler.
    };
    if (settings.tls.enabled()) {
        // Named so CivetWeb sets TLS up; load_tls_files does the loading.
        options.insert(options.end(), {"ssl_certificate", settings.tls.cert_file});
    }
    return options;
}

void require_tls_support() {
    if ((mg_init_library(MG_FEATURES_TLS) & MG_FEATURES_TLS) == 0) {
        // Debian's CivetWeb loads libssl.so by that name at run time.
        throw std::runtime_error(
            "web.tls: CivetWeb cannot load OpenSSL (libssl.so; on Debian it comes with "
            "libssl-dev); install it, or terminate TLS at the reverse proxy");
    }
}

}  // namespace

Server::Server(const config::WebSettings& settings, Dispatch dispatch)
    : settings_(settings), dispatch_(std::move(dispatch)) {
    if (settings_.tls.enabled()) {
        require_tls_support();
    } else {
        mg_init_library(0);
    }
    auto options = civetweb_options(settings_);
    std::vector<const char*> pointers;
    for (const auto& option : options) {
        pointers.push_back(option.c_str());
    }
    pointers.push_back(nullptr);
    mg_callbacks callbacks{};
    callbacks.log_message = log_civetweb;
    if (settings_.tls.enabled()) {
        callbacks.init_ssl = load_tls_files;
    }
    context_ = mg_start(&callbacks, &settings_.tls, pointers.data());
    if (context_ == nullptr) {
        mg_exit_library();
        throw std::runtime_error("cannot serve HTTP on " + metrics::to_string(settings_.listen) +
                                 " (address in use, no permission, or TLS set-up failed)");
    }
    mg_set_request_handler(context_, "/", &Server::on_request, this);
}

Server::~Server() {
    mg_stop(context_);
    mg_exit_library();
}

int Server::on_request(mg_connection* connection, void* self) {
    return static_cast<Server*>(self)->serve(connection);
}

int Server::serve(mg_connection* connection) {
    auto request = read_head(connection);
    if (!request.body_fits(settings_.max_body)) {
        write_response(connection, request.request.method, too_large());
        return 413;
    }
    if (!read_body(connection, settings_.max_body, request.request.body)) {
        write_response(connection, request.request.method, too_large());
        return 413;
    }
    Response response;
    try {
        response = dispatch_(request.request);
    } catch (const std::exception& error) {
        log::error("http: {} {}: {}", to_string(request.request.method), request.request.path,
                   error.what());
        response = text_response(Status::internal_error, "internal error\n");
    }
    write_response(connection, request.request.method, response);
    return static_cast<int>(response.status);
}

}  // namespace fbl::web
