#pragma once

#include <functional>
#include <string>

#include "config/users_file.h"

// Changes to the users file, made so that neither a crash nor a second
// `fblctl user` at the same moment loses one.
namespace fbl::config {

// Under an exclusive flock on PATH.lock: reads path (no file = no users),
// applies edit, and writes the result through a temporary file in the same
// directory (fsync, rename, fsync of the directory), mode 0640. As root the
// file keeps its owner and group; a new one is root's, group "fblmilter"
// when that group exists, else the directory's. Throws what load_users and
// edit throw, and UsersFileWriteError when it cannot write.
void update_users(const std::string& path, const std::function<void(Users&)>& edit);

}  // namespace fbl::config
