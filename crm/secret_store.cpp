#include "crm/secret_store.h"

#include <cstdlib>
#include <optional>

namespace fbl::crm {
namespace {

std::optional<std::string> reread(const config::Secret& secret) {
    const auto& origin = secret.origin();
    if (auto file = secret.file(); !file.empty()) {
        // The same rules as at load: a file made readable by others since is
        // not taken.
        auto read = config::read_secret_file(file);
        return read.problem.empty() ? std::optional(std::move(read.value)) : std::nullopt;
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
