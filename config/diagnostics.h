#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace fbl::config {

struct ConfigError {
    std::string file;
    int line = 0;  // 1-based; 0 = not tied to a place in the file
    int column = 0;
    std::string key_path;  // e.g. "crm[0].secrets.token"
    std::string message;

    // "fblmilter.yaml:12:5: crm[0].secrets.token: cannot read /etc/x: ..."
    std::string to_string() const;
};

// Thrown by the loader with every error found, not only the first.
class ConfigInvalid : public std::runtime_error {
  public:
    explicit ConfigInvalid(std::vector<ConfigError> errors);
    const std::vector<ConfigError>& errors() const { return errors_; }

  private:
    std::vector<ConfigError> errors_;
};

}  // namespace fbl::config
