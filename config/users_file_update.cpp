#include "config/users_file_update.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string_view>
#include <utility>

#include <fcntl.h>
#include <fmt/format.h>
#include <grp.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace fbl::config {
namespace {

constexpr mode_t kUsersFileMode = 0640;
constexpr const char* kServiceGroup = "fblmilter";

[[noreturn]] void fail(const std::string& what, const std::string& path) {
    throw UsersFileWriteError(fmt::format("cannot {} {}: {}", what, path, std::strerror(errno)));
}

class FileDescriptor {
  public:
    explicit FileDescriptor(int fd) : fd_(fd) {}
    ~FileDescriptor() {
        if (fd_ >= 0) {
            ::close(fd_);
        }
    }
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;
    int get() const { return fd_; }
    int release() { return std::exchange(fd_, -1); }

  private:
    int fd_;
};

// Held for the whole read-edit-write, so two writers take turns.
FileDescriptor lock_users_file(const std::string& path) {
    std::string lock_path = path + ".lock";
    FileDescriptor lock(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, kUsersFileMode));
    if (lock.get() < 0) {
        fail("create the lock file", lock_path);
    }
    while (::flock(lock.get(), LOCK_EX) != 0) {
        if (errno != EINTR) {
            fail("lock", lock_path);
        }
    }
    return FileDescriptor(lock.release());
}

struct Ownership {
    uid_t uid;
    gid_t gid;
};

Ownership new_file_ownership(const std::filesystem::path& directory) {
    if (const group* service = ::getgrnam(kServiceGroup)) {
        return {0, service->gr_gid};
    }
    struct stat status {};
    if (::stat(directory.c_str(), &status) != 0) {
        fail("stat", directory.string());
    }
    return {0, status.st_gid};
}

// Whose the written file is: only root can give a file away, and only root
// needs to (fblctl run by another user writes a file it owns).
std::optional<Ownership> ownership(const std::string& path,
                                   const std::filesystem::path& directory) {
    if (::geteuid() != 0) {
        return std::nullopt;
    }
    struct stat status {};
    if (::stat(path.c_str(), &status) == 0) {
        return Ownership{status.st_uid, status.st_gid};
    }
    return new_file_ownership(directory);
}

void write_all(int fd, std::string_view text, const std::string& path) {
    while (!text.empty()) {
        ssize_t written = ::write(fd, text.data(), text.size());
        if (written < 0 && errno == EINTR) {
            continue;
        }
        if (written < 0) {
            fail("write", path);
        }
        text.remove_prefix(static_cast<std::size_t>(written));
    }
}

void fsync_directory(const std::filesystem::path& directory) {
    FileDescriptor fd(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (fd.get() < 0 || ::fsync(fd.get()) != 0) {
        fail("sync the directory", directory.string());
    }
}

void replace_atomically(const std::string& path, std::string_view text) {
    auto directory = std::filesystem::absolute(path).parent_path();
    auto owner = ownership(path, directory);
    std::string temporary =
        (directory / ("." + std::filesystem::path(path).filename().string() + ".XXXXXX")).string();
    FileDescriptor fd(::mkstemp(temporary.data()));
    if (fd.get() < 0) {
        fail("create a temporary file in", directory.string());
    }
    try {
        write_all(fd.get(), text, temporary);
        if (::fchmod(fd.get(), kUsersFileMode) != 0) {
            fail("chmod", temporary);
        }
        if (owner && ::fchown(fd.get(), owner->uid, owner->gid) != 0) {
            fail("chown", temporary);
        }
        if (::fsync(fd.get()) != 0) {
            fail("sync", temporary);
        }
        if (::close(fd.release()) != 0) {
            fail("close", temporary);
        }
        if (::rename(temporary.c_str(), path.c_str()) != 0) {
            fail("rename into place", path);
        }
    } catch (...) {
        ::unlink(temporary.c_str());
        throw;
    }
    fsync_directory(directory);
}

}  // namespace

void update_users(const std::string& path, const std::function<void(Users&)>& edit) {
    auto lock = lock_users_file(path);
    struct stat status {};
    // Only a file that is not there starts empty; any other failure to see
    // it is load_users' clear error, never a reason to write over it.
    bool present = ::stat(path.c_str(), &status) == 0 || errno != ENOENT;
    Users users = present ? load_users(path) : Users();
    edit(users);
    replace_atomically(path, users.text());
}

}  // namespace fbl::config
