#include "config/secret.h"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

namespace fbl::config {

std::string Secret::file() const {
    constexpr std::string_view kFile = "file ";
    return origin_.starts_with(kFile) ? origin_.substr(kFile.size()) : std::string();
}

std::string secret_mode_problem(const std::string& path, unsigned mode) {
    if ((mode & 077) == 0) {
        return "";
    }
    return fmt::format(
        "permissions {:04o} for '{}' are too open: a key or secret file must not be accessible "
        "by group or others (chmod 600 '{}', owned by the daemon's user)",
        mode & 07777, path, path);
}

SecretFile read_secret_file(const std::string& path) {
    SecretFile result;
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        result.problem = "cannot read " + path + ": " + std::strerror(errno);
        return result;
    }
    struct stat status {};
    if (::fstat(fd, &status) != 0) {
        result.problem = "cannot read " + path + ": " + std::strerror(errno);
    } else if (!S_ISREG(status.st_mode)) {
        result.problem = path + " is not a regular file";
    } else {
        result.problem = secret_mode_problem(path, status.st_mode);
    }
    char buffer[4096];
    while (result.problem.empty()) {
        auto got = ::read(fd, buffer, sizeof buffer);
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got < 0) {
            result.problem = "cannot read " + path + ": " + std::strerror(errno);
        } else if (got == 0) {
            break;
        } else {
            result.value.append(buffer, static_cast<std::size_t>(got));
        }
    }
    ::close(fd);
    while (!result.value.empty() && (result.value.back() == '\n' || result.value.back() == '\r')) {
        result.value.pop_back();
    }
    if (result.problem.empty() && result.value.empty()) {
        result.problem = path + " is empty";
    }
    if (!result.problem.empty()) {
        result.value.clear();
    }
    return result;
}

}  // namespace fbl::config
