#pragma once

#include <string>
#include <string_view>
#include <vector>

// Removes secret values from text before it is logged, stored as a job's
// last_error/last_response or shown by `fblctl outbox show`. Every value a
// secret ever had in this process is remembered, so a token refreshed after
// a 401 is still hidden in an answer that echoes the old one. A secret is
// also hidden percent-encoded (as sent in a URL or form) and JSON-escaped.
namespace fbl::crm {

class Redactor {
  public:
    void add(std::string_view secret);
    std::string redact(std::string_view text) const;

  private:
    std::vector<std::string> secrets_;
};

inline constexpr std::string_view kRedacted = "[redacted]";

}  // namespace fbl::crm
