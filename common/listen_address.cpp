#include "common/listen_address.h"

#include <charconv>
#include <stdexcept>

#include <arpa/inet.h>
#include <netinet/in.h>

namespace fbl::metrics {
namespace {

struct Split {
    std::string host;
    std::uint16_t port = 0;
};

// "host:port" / "[v6]:port"; `what` names the setting in the message.
Split split_host_port(const std::string& listen, const std::string& what) {
    auto colon = listen.rfind(':');
    if (colon == std::string::npos || colon + 1 == listen.size()) {
        throw std::invalid_argument(what + "expected ADDRESS:PORT, got \"" + listen + "\"");
    }
    std::string port_text = listen.substr(colon + 1);
    unsigned port = 0;
    auto [end, error] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (error != std::errc{} || end != port_text.data() + port_text.size() || port > 65535) {
        throw std::invalid_argument(what + "bad port \"" + port_text + "\"");
    }
    return {listen.substr(0, colon), static_cast<std::uint16_t>(port)};
}

bool bracketed(const std::string& host) {
    return host.size() > 2 && host.front() == '[' && host.back() == ']';
}

}  // namespace

// Splits "host:port" / "[v6]:port" and insists on a loopback host.
ListenAddress parse_listen(const std::string& listen) {
    auto [host, port] = split_host_port(listen, "metrics.listen: ");
    ListenAddress address{host, port};
    if (host == "localhost") {
        address.host = "127.0.0.1";
        return address;
    }
    if (bracketed(host)) {
        in6_addr v6{};
        std::string bare = host.substr(1, host.size() - 2);
        if (inet_pton(AF_INET6, bare.c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6)) {
            return address;
        }
    } else {
        in_addr v4{};
        if (inet_pton(AF_INET, host.c_str(), &v4) == 1 && (ntohl(v4.s_addr) >> 24) == 127) {
            return address;
        }
    }
    throw std::invalid_argument("metrics.listen: \"" + host +
                                "\" is not a loopback address (127.0.0.0/8, [::1], localhost); "
                                "the endpoint has no authentication");
}

ListenAddress parse_any_listen(const std::string& listen) {
    auto [host, port] = split_host_port(listen, "");
    if (port == 0) {
        throw std::invalid_argument("port 0 is not a port to listen on");
    }
    ListenAddress address{host, port};
    if (host == "localhost") {
        address.host = "127.0.0.1";
        return address;
    }
    in6_addr v6{};
    in_addr v4{};
    if (bracketed(host) && inet_pton(AF_INET6, host.substr(1, host.size() - 2).c_str(), &v6) == 1) {
        return address;
    }
    if (!bracketed(host) && inet_pton(AF_INET, host.c_str(), &v4) == 1) {
        return address;
    }
    throw std::invalid_argument("\"" + host +
                                "\" is not an IPv4 address, a bracketed IPv6 address "
                                "([::1]) or localhost");
}

std::string to_string(const ListenAddress& address) {
    return address.host + ":" + std::to_string(address.port);
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
