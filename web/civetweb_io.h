#pragma once

#include <cstdint>
#include <string>

#include "web/http.h"

struct mg_connection;

// CivetWeb's connection <-> our Request/Response. CivetWeb has parsed the
// request; these only copy what it found.
namespace fbl::web {

struct IncomingRequest {
    Request request;           // everything but the body
    long long content_length;  // -1: none given (chunked)
    // A declared length over the limit is refused before a byte is read.
    bool body_fits(std::uint64_t max_body) const {
        return content_length < 0 || static_cast<std::uint64_t>(content_length) <= max_body;
    }
};

IncomingRequest read_head(mg_connection* connection);

// Reads the body into `body`; false when it is longer than max_body (a
// chunked body has no length to check first).
bool read_body(mg_connection* connection, std::uint64_t max_body, std::string& body);

// The 413 answer, in one place for both checks.
Response too_large();

// Status, headers and (except for HEAD) the body.
void write_response(mg_connection* connection, Method method, const Response& response);

}  // namespace fbl::web
