#include "common/listen_address.h"

#include <charconv>
#include <stdexcept>

#include <arpa/inet.h>
#include <netinet/in.h>

namespace fbl::metrics {

// Splits "host:port" / "[v6]:port" and insists on a loopback host.
ListenAddress parse_listen(const std::string& listen) {
    auto colon = listen.rfind(':');
    if (colon == std::string::npos || colon + 1 == listen.size()) {
        throw std::invalid_argument("metrics.listen: expected ADDRESS:PORT, got \"" + listen +
                                    "\"");
    }
    std::string host = listen.substr(0, colon);
    std::string port_text = listen.substr(colon + 1);
    unsigned port = 0;
    auto [end, error] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (error != std::errc{} || end != port_text.data() + port_text.size() || port > 65535) {
        throw std::invalid_argument("metrics.listen: bad port \"" + port_text + "\"");
    }
    ListenAddress address;
    address.port = static_cast<std::uint16_t>(port);
    if (host == "localhost") {
        address.host = "127.0.0.1";
        return address;
    }
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
        in6_addr v6{};
        std::string bare = host.substr(1, host.size() - 2);
        if (inet_pton(AF_INET6, bare.c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6)) {
            address.host = host;
            return address;
        }
    } else {
        in_addr v4{};
        if (inet_pton(AF_INET, host.c_str(), &v4) == 1 && (ntohl(v4.s_addr) >> 24) == 127) {
            address.host = host;
            return address;
        }
    }
    throw std::invalid_argument("metrics.listen: \"" + host +
                                "\" is not a loopback address (127.0.0.0/8, [::1], localhost); "
                                "the endpoint has no authentication");
}

std::string listen_problem(const std::string& listen) {
    if (listen.empty()) {
        return {};
    }
    try {
        parse_listen(listen);
        return {};
    } catch (const std::invalid_argument& error) {
        return error.what();
    }
}

}  // namespace fbl::metrics
