#pragma once

#include "config/users_cache.h"
#include "web/console/console_user.h"

namespace fbl::web::console {

// The users of web.console.users_file (fblctl user add), read again when
// the file changes. A file that cannot be read lets nobody in, and says why
// in the log once per change of the file.
class FileUserDirectory : public UserDirectory {
  public:
    explicit FileUserDirectory(std::string path);
    std::optional<ConsoleUser> authenticate(std::string_view name,
                                            std::string_view password) override;
    std::optional<ConsoleUser> find(std::string_view name) override;

  private:
    config::UsersCache cache_;
};

}  // namespace fbl::web::console
