#include "crm/redactor.h"

#include <algorithm>

namespace fbl::crm {

void Redactor::add(std::string_view secret) {
    if (secret.empty() || std::find(secrets_.begin(), secrets_.end(), secret) != secrets_.end()) {
        return;
    }
    secrets_.emplace_back(secret);
    // Longest first, so a secret containing another is hidden whole.
    std::sort(secrets_.begin(), secrets_.end(),
              [](const auto& a, const auto& b) { return a.size() > b.size(); });
}

std::string Redactor::redact(std::string_view text) const {
    std::string out(text);
    for (const auto& secret : secrets_) {
        for (auto at = out.find(secret); at != std::string::npos;
             at = out.find(secret, at + kRedacted.size())) {
            out.replace(at, secret.size(), kRedacted);
        }
    }
    return out;
}

}  // namespace fbl::crm
