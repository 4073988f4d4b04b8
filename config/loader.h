#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "config/config.h"
#include "config/diagnostics.h"

namespace fbl::config {

// Loads and validates; throws ConfigInvalid listing every problem found.
Config load_file(const std::string& path);
Config load_string(std::string_view yaml, const std::string& file_name);

// The config fblctl and fblmilter use without -c: the installed one, or the
// example in a source tree when run from its root.
std::string default_path();

// Settings that load but that an administrator must hear about at every
// start and from --check-config (e.g. trust: any).
std::vector<std::string> warnings(const Config& config);

// Exit status for a configuration error (sysexits EX_CONFIG).
inline constexpr int kExitConfig = 78;

}  // namespace fbl::config
