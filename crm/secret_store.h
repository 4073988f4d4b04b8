#pragma once

#include <map>
#include <string>

#include "config/secret.h"
#include "crm/redactor.h"

// The live credentials of one adapter. They start as loaded with the config;
// refresh() re-reads each from where it came from (the file named by
// value_file, or the environment variable named by value_env), which is what
// "refresh the token" means after a 401: whatever rotates the token (a cron
// job, a sidecar, the operator) writes the new one to the file.
namespace fbl::crm {

class SecretStore {
  public:
    SecretStore(const std::map<std::string, config::Secret>& secrets, Redactor& redactor);

    const std::string* find(const std::string& name) const;
    // Returns true when at least one value changed. Unreadable sources keep
    // their old value (the next 401 tries again).
    bool refresh();

  private:
    std::map<std::string, config::Secret> secrets_;
    std::map<std::string, std::string> values_;
    Redactor& redactor_;
};

}  // namespace fbl::crm
