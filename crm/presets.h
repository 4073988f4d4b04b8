#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "crm/adapter.h"

// The adapters shipped with the product, as data: the steps with `{setting}`
// macros, default settings, and the secrets the operator must provide.
// docs/crm.md documents each one.
namespace fbl::crm {

struct Preset {
    std::string name;
    std::vector<Step> steps;
    std::map<std::string, std::string> default_settings;
    std::vector<std::string> required_settings;
    std::vector<std::string> required_secrets;
    Signing signing = Signing::none;
    std::string signing_secret;
};

std::optional<Preset> find_preset(const std::string& name);
std::vector<std::string> preset_names();

}  // namespace fbl::crm
