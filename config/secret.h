#pragma once

#include <ostream>
#include <string>
#include <string_view>

namespace fbl::config {

// A credential read from a file or an environment variable. It never prints
// itself: formatting one yields where it came from, not its value.
class Secret {
  public:
    Secret() = default;
    Secret(std::string value, std::string origin)
        : value_(std::move(value)), origin_(std::move(origin)) {}

    bool empty() const { return value_.empty(); }
    const std::string& reveal() const { return value_; }
    const std::string& origin() const { return origin_; }

  private:
    std::string value_;
    std::string origin_;  // "file /etc/x" or "env VAR"
};

inline std::ostream& operator<<(std::ostream& out, const Secret& secret) {
    return out << "<secret from " << secret.origin() << ">";
}

}  // namespace fbl::config
