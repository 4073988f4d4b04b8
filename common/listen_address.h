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

// The same split for a listener that may face the network (web.listen:
// fblweb can serve TLS itself): any numeric address, or localhost; port
// 1..65535. Throws std::invalid_argument saying why not.
ListenAddress parse_any_listen(const std::string& listen);

// How CivetWeb's listening_ports names it: 127.0.0.1:8891, [::1]:8891.
std::string to_string(const ListenAddress& address);

// Checks a metrics.listen value; returns "" when fine (or empty: off), else why not.
std::string listen_problem(const std::string& listen);

}  // namespace fbl::metrics
