#include "config/diagnostics.h"

namespace fbl::config {
namespace {

std::string join(const std::vector<ConfigError>& errors) {
    std::string text;
    for (const auto& error : errors) {
        if (!text.empty()) {
            text += '\n';
        }
        text += error.to_string();
    }
    return text;
}

}  // namespace

std::string ConfigError::to_string() const {
    std::string text = file;
    if (line > 0) {
        text += ":" + std::to_string(line) + ":" + std::to_string(column);
    }
    text += ": ";
    if (!key_path.empty()) {
        text += key_path + ": ";
    }
    return text + message;
}

ConfigInvalid::ConfigInvalid(std::vector<ConfigError> errors)
    : std::runtime_error(join(errors)), errors_(std::move(errors)) {}

}  // namespace fbl::config
