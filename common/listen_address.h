#pragma once

#include <cstdint>
#include <string>

// metrics.listen (and later HTTP listeners): "host:port" on a loopback
// address only. Here, not in metrics.cpp, so config/ can check a value
// without linking prometheus-cpp.
namespace fbl::metrics {

struct ListenAddress {
    std::string host;  // as CivetWeb wants it: 127.0.0.1 or [::1]
    std::uint16_t port = 0;
};

// Splits "host:port" / "[v6]:port" and insists on a loopback host; throws
// std::invalid_argument saying why not.
ListenAddress parse_listen(const std::string& listen);

// Checks a metrics.listen value; returns "" when fine (or empty: off), else why not.
std::string listen_problem(const std::string& listen);

}  // namespace fbl::metrics
