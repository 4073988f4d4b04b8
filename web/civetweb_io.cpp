#include "web/civetweb_io.h"

#include <array>
#include <stdexcept>

#include <civetweb.h>

#include "common/log.h"

namespace fbl::web {
namespace {

// The client went away mid-stream: the producer stops instead of reading
// the rest of a million rows for nobody.
struct ClientGone : std::runtime_error {
    ClientGone() : std::runtime_error("client closed the connection") {}
};

void stream_body(mg_connection* connection, const std::function<void(const BodySink&)>& stream) {
    BodySink sink = [connection](std::string_view piece) {
        if (!piece.empty() &&
            mg_send_chunk(connection, piece.data(), static_cast<unsigned>(piece.size())) < 0) {
            throw ClientGone();
        }
    };
    try {
        stream(sink);
        mg_send_chunk(connection, "", 0);  // the last chunk
    } catch (const ClientGone&) {
        // Nothing to answer any more.
    } catch (const std::exception& error) {
        // The body stays unterminated and the connection closes (streams
        // are sent with Connection: close), so the client sees a broken
        // download, never a silently short file.
        log::error("http: a streamed answer failed midway: {}", error.what());
    }
}

}  // namespace

IncomingRequest read_head(mg_connection* connection) {
    const mg_request_info* info = mg_get_request_info(connection);
    IncomingRequest incoming{{}, info->content_length};
    Request& request = incoming.request;
    request.method = method_from(info->request_method != nullptr ? info->request_method : "");
    request.path = info->local_uri != nullptr ? info->local_uri : "";
    request.query = info->query_string != nullptr ? info->query_string : "";
    request.client_address = info->remote_addr;
    for (int i = 0; i < info->num_headers; ++i) {
        request.headers.add(info->http_headers[i].name, info->http_headers[i].value);
    }
    return incoming;
}

bool read_body(mg_connection* connection, std::uint64_t max_body, std::string& body) {
    std::array<char, 16384> buffer{};
    for (;;) {
        int got = mg_read(connection, buffer.data(), buffer.size());
        if (got <= 0) {
            return true;
        }
        if (body.size() + static_cast<std::size_t>(got) > max_body) {
            return false;
        }
        body.append(buffer.data(), static_cast<std::size_t>(got));
    }
}

Response too_large() {
    auto response = text_response(Status::payload_too_large, "request body too large\n");
    // The unread body is not worth draining for another request.
    response.headers.add("Connection", "close");
    return response;
}

void write_response(mg_connection* connection, Method method, const Response& response) {
    mg_response_header_start(connection, static_cast<int>(response.status));
    mg_response_header_add(connection, "Content-Type", to_string(response.content_type).data(),
                           static_cast<int>(to_string(response.content_type).size()));
    if (response.stream) {
        mg_response_header_add(connection, "Transfer-Encoding", "chunked", -1);
        mg_response_header_add(connection, "Connection", "close", -1);
    } else {
        std::string length = std::to_string(response.body.size());
        mg_response_header_add(connection, "Content-Length", length.c_str(), -1);
    }
    for (const auto& [name, value] : response.headers.fields()) {
        mg_response_header_add(connection, name.c_str(), value.c_str(),
                               static_cast<int>(value.size()));
    }
    mg_response_header_send(connection);
    if (method == Method::head) {
        return;
    }
    if (response.stream) {
        stream_body(connection, response.stream);
    } else if (!response.body.empty()) {
        mg_write(connection, response.body.data(), response.body.size());
    }
}

}  // namespace fbl::web
