#include "crm/secret_store.h"

#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>

namespace fbl::crm {
namespace {

std::optional<std::string> reread(const config::Secret& secret) {
    const auto& origin = secret.origin();
    if (origin.starts_with("file ")) {
        std::ifstream in(origin.substr(5), std::ios::binary);
        if (!in) {
            return std::nullopt;
        }
        std::ostringstream content;
        content << in.rdbuf();
        auto value = content.str();
        while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) {
            value.pop_back();
        }
        return value.empty() ? std::nullopt : std::optional(value);
    }
    if (origin.starts_with("env ")) {
        const char* value = std::getenv(origin.substr(4).c_str());
        return value == nullptr || *value == '\0' ? std::nullopt
                                                  : std::optional<std::string>(value);
    }
    return std::nullopt;
}

}  // namespace

SecretStore::SecretStore(const std::map<std::string, config::Secret>& secrets, Redactor& redactor)
    : secrets_(secrets), redactor_(redactor) {
    for (const auto& [name, secret] : secrets_) {
        values_[name] = secret.reveal();
        redactor_.add(secret.reveal());
    }
}

const std::string* SecretStore::find(const std::string& name) const {
    auto it = values_.find(name);
    return it == values_.end() ? nullptr : &it->second;
}

bool SecretStore::refresh() {
    bool changed = false;
    for (const auto& [name, secret] : secrets_) {
        if (auto value = reread(secret); value && *value != values_[name]) {
            redactor_.add(*value);
            values_[name] = std::move(*value);
            changed = true;
        }
    }
    return changed;
}

}  // namespace fbl::crm
