#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "config/users_file.h"

// Who is logged in to the console, and what they may do.
namespace fbl::web::console {

// viewer: reads and exports; admin: also changes (suppressions, retries,
// re-evaluation). The users file names it.
using config::Role;

struct ConsoleUser {
    std::string name;
    Role role = Role::viewer;
};

// Where the console's users come from (web.console.users_file). Both calls
// read the file as it is now, so a removed user or a changed role takes
// effect on the next request.
class UserDirectory {
  public:
    virtual ~UserDirectory() = default;
    // The user when name and password match; nullopt otherwise, in the same
    // time whether the name exists or not.
    virtual std::optional<ConsoleUser> authenticate(std::string_view name,
                                                    std::string_view password) = 0;
    // The user's current entry; nullopt when removed.
    virtual std::optional<ConsoleUser> find(std::string_view name) = 0;
};

}  // namespace fbl::web::console
