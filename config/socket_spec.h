#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace fbl::config {

// A libmilter connection spec: "inet:PORT@HOST", "inet6:PORT@HOST",
// "unix:/path" or "local:/path" (the same thing).
struct SocketSpec {
    enum class Family { inet, inet6, unix_path };
    Family family = Family::inet;
    std::string host;  // inet/inet6; empty = any address
    int port = 0;
    std::string path;  // unix

    static std::optional<SocketSpec> parse(std::string_view text, std::string* why);
    std::string to_string() const;
};

}  // namespace fbl::config
