#include "config/socket_spec.h"

#include <charconv>

namespace fbl::config {
namespace {

std::optional<SocketSpec> fail(std::string* why, std::string message) {
    if (why != nullptr) {
        *why = std::move(message);
    }
    return std::nullopt;
}

}  // namespace

std::optional<SocketSpec> SocketSpec::parse(std::string_view text, std::string* why) {
    auto colon = text.find(':');
    if (colon == std::string_view::npos) {
        return fail(why, "expected inet:PORT@HOST, inet6:PORT@HOST, unix:/path or local:/path");
    }
    auto scheme = text.substr(0, colon);
    auto rest = text.substr(colon + 1);
    SocketSpec spec;
    if (scheme == "unix" || scheme == "local") {
        if (rest.empty() || rest.front() != '/') {
            return fail(
                why,
                "a unix socket needs an absolute path, e.g. unix:/run/fblmilter/fblmilter.sock");
        }
        spec.family = Family::unix_path;
        spec.path = std::string(rest);
        return spec;
    }
    if (scheme != "inet" && scheme != "inet6") {
        return fail(why, "unknown socket type '" + std::string(scheme) +
                             "' (use inet, inet6, unix or local)");
    }
    spec.family = scheme == "inet" ? Family::inet : Family::inet6;
    auto at = rest.find('@');
    auto port_text = rest.substr(0, at);
    auto [end, error] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), spec.port);
    if (error != std::errc{} || end != port_text.data() + port_text.size() || spec.port < 1 ||
        spec.port > 65535) {
        return fail(why, "port must be a number from 1 to 65535");
    }
    if (at != std::string_view::npos) {
        spec.host = std::string(rest.substr(at + 1));
        if (spec.host.empty()) {
            return fail(why, "host after '@' is empty");
        }
    }
    return spec;
}

std::string SocketSpec::to_string() const {
    switch (family) {
        case Family::unix_path:
            return "unix:" + path;
        case Family::inet:
        case Family::inet6:
            return std::string(family == Family::inet ? "inet:" : "inet6:") + std::to_string(port) +
                   (host.empty() ? "" : "@" + host);
    }
    return {};
}

}  // namespace fbl::config
