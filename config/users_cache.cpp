#include "config/users_cache.h"

#include <cerrno>
#include <cstring>

#include <fmt/format.h>
#include <sys/stat.h>

namespace fbl::config {
namespace {

long long nanoseconds(const timespec& time) {
    return static_cast<long long>(time.tv_sec) * 1'000'000'000LL + time.tv_nsec;
}

}  // namespace

UsersCache::UsersCache(std::string path) : path_(std::move(path)) {}

UsersCache::Identity UsersCache::identity() const {
    struct stat status {};
    if (::stat(path_.c_str(), &status) != 0) {
        throw UsersFileError(fmt::format("{}: cannot stat: {}", path_, std::strerror(errno)));
    }
    return Identity{static_cast<unsigned long>(status.st_dev),
                    static_cast<unsigned long>(status.st_ino),
                    static_cast<long long>(status.st_size), nanoseconds(status.st_mtim),
                    nanoseconds(status.st_ctim)};
}

std::shared_ptr<const Users> UsersCache::current() {
    std::lock_guard lock(mutex_);
    Identity now = identity();
    if (read_as_ != now) {
        read_as_ = now;
        try {
            users_ = std::make_shared<const Users>(load_users(path_));
            error_.clear();
        } catch (const UsersFileError& error) {
            users_.reset();
            error_ = error.what();
        }
    }
    if (!users_) {
        throw UsersFileError(error_);
    }
    return users_;
}

std::optional<Role> UsersCache::verify(std::string_view name, std::string_view password) {
    return current()->verify(name, password);
}

}  // namespace fbl::config
