#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "config/users_file.h"

// The users file as fblweb sees it on each request: read again as soon as
// it changed on disk (another inode, size or time), so a removed user or a
// new password counts from the next request on, without a reload.
namespace fbl::config {

class UsersCache {
  public:
    explicit UsersCache(std::string path);

    // The users as the file is now. Throws UsersFileError when it cannot be
    // read or is broken: nobody logs in from a file we cannot read (the same
    // broken file is not parsed again until it changes). Thread-safe; the
    // snapshot stays valid while a request holds it.
    std::shared_ptr<const Users> current();

    // verify() on the current users; the password is checked outside the
    // lock, so slow hashes do not queue requests behind each other.
    std::optional<Role> verify(std::string_view name, std::string_view password);

    const std::string& path() const { return path_; }

  private:
    // What tells that the file was replaced or changed.
    struct Identity {
        unsigned long device = 0;
        unsigned long inode = 0;
        long long size = -1;
        long long modified_ns = 0;
        long long changed_ns = 0;
        bool operator==(const Identity&) const = default;
    };
    Identity identity() const;

    std::string path_;
    std::mutex mutex_;
    std::optional<Identity> read_as_;
    std::shared_ptr<const Users> users_;
    std::string error_;  // why the file as read_as_ was refused; "" = users_ holds it
};

}  // namespace fbl::config
