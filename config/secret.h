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
    // The file it was read from; empty for a secret from the environment.
    std::string file() const;

  private:
    std::string value_;
    std::string origin_;  // "file /etc/x" or "env VAR"
};

inline std::ostream& operator<<(std::ostream& out, const Secret& secret) {
    return out << "<secret from " << secret.origin() << ">";
}

// Reads a key or secret file, without its trailing newlines. Like OpenSSH
// with a private key, a file that the group or others may access is refused:
// a secret readable by another account is no longer a secret, and refusing
// it at start is the only moment the administrator is sure to see it.
struct SecretFile {
    std::string value;
    std::string problem;  // empty = read; else why not, without the content
};
SecretFile read_secret_file(const std::string& path);

// "Permissions 0644 for 'FILE' are too open ...", or "" when mode is private.
std::string secret_mode_problem(const std::string& path, unsigned mode);

}  // namespace fbl::config
