#include "config/users_file.h"

#include <array>
#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/password_hash.h"

namespace fbl::config {
namespace {

constexpr std::size_t kMaxNameLength = 64;

bool name_character(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '@' || c == '-';
}

bool comment_or_blank(std::string_view line) {
    auto first = line.find_first_not_of(" \t");
    return first == std::string_view::npos || line[first] == '#';
}

std::string line_error(const std::string& origin, std::size_t number, std::string_view why) {
    return fmt::format("{}:{}: {}", origin, number, why);
}

// "name:hash:role"; the hash holds no ':' ($-separated crypt text).
User parse_user(std::string_view line, const std::string& origin, std::size_t number) {
    auto first = line.find(':');
    auto last = line.rfind(':');
    if (first == std::string_view::npos || first == last) {
        throw UsersFileError(line_error(origin, number, "expected name:hash:role"));
    }
    auto name = UserName::parse(line.substr(0, first));
    if (!name) {
        throw UsersFileError(
            line_error(origin, number, "the name is not 1 to 64 of A-Z a-z 0-9 . _ @ -"));
    }
    auto hash = line.substr(first + 1, last - first - 1);
    if (auto problem = hash_problem(hash); !problem.empty()) {
        throw UsersFileError(line_error(origin, number, "user " + name->str() + ": " + problem));
    }
    auto role = parse_role(line.substr(last + 1));
    if (!role) {
        throw UsersFileError(line_error(origin, number, "the role is not viewer or admin"));
    }
    return User{*name, std::string(hash), *role};
}

std::string read_capped(int fd, const std::string& path) {
    std::string text;
    std::array<char, 64 * 1024> buffer;
    while (true) {
        ssize_t got = ::read(fd, buffer.data(), buffer.size());
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got < 0) {
            throw UsersFileError(fmt::format("{}: cannot read: {}", path, std::strerror(errno)));
        }
        if (got == 0) {
            return text;
        }
        text.append(buffer.data(), static_cast<std::size_t>(got));
        if (text.size() > kMaxUsersFileBytes) {
            throw UsersFileError(fmt::format("{}: larger than 1 MiB", path));
        }
    }
}

}  // namespace

std::optional<Role> parse_role(std::string_view text) {
    if (text == "viewer") {
        return Role::viewer;
    }
    if (text == "admin") {
        return Role::admin;
    }
    return std::nullopt;
}

std::string_view to_string(Role role) {
    return role == Role::admin ? "admin" : "viewer";
}

std::optional<UserName> UserName::parse(std::string_view text) {
    if (text.empty() || text.size() > kMaxNameLength) {
        return std::nullopt;
    }
    for (char c : text) {
        if (!name_character(c)) {
            return std::nullopt;
        }
    }
    return UserName(std::string(text));
}

Users Users::parse(std::string_view text, const std::string& origin) {
    if (text.size() > kMaxUsersFileBytes) {
        throw UsersFileError(origin + ": larger than 1 MiB");
    }
    Users users;
    std::size_t number = 0;
    while (!text.empty()) {
        ++number;
        auto end = text.find('\n');
        auto line = text.substr(0, end);
        text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
        if (line.ends_with('\r')) {
            line.remove_suffix(1);
        }
        if (line.size() > kMaxUsersLineBytes) {
            throw UsersFileError(line_error(origin, number, "longer than 1024 bytes"));
        }
        if (comment_or_blank(line)) {
            users.lines_.push_back(Line{std::string(line), std::nullopt});
            continue;
        }
        User user = parse_user(line, origin, number);
        if (users.index_.contains(user.name.str())) {
            throw UsersFileError(
                line_error(origin, number, "user " + user.name.str() + " is named twice"));
        }
        if (users.index_.size() == kMaxUsers) {
            throw UsersFileError(line_error(origin, number, "more than 10000 users"));
        }
        users.index_.emplace(user.name.str(), users.lines_.size());
        users.lines_.push_back(Line{"", std::move(user)});
    }
    return users;
}

std::string Users::text() const {
    std::string text;
    for (const auto& line : lines_) {
        if (line.user) {
            text += fmt::format("{}:{}:{}\n", line.user->name.str(), line.user->hash,
                                to_string(line.user->role));
        } else {
            text += line.text + "\n";
        }
    }
    return text;
}

const User* Users::find(const UserName& name) const {
    auto found = index_.find(name.str());
    return found == index_.end() ? nullptr : &*lines_[found->second].user;
}

std::vector<User> Users::list() const {
    std::vector<User> users;
    for (const auto& line : lines_) {
        if (line.user) {
            users.push_back(*line.user);
        }
    }
    return users;
}

void Users::add(User user) {
    if (index_.contains(user.name.str())) {
        throw UsersChangeRefused("user " + user.name.str() + " exists already");
    }
    if (index_.size() == kMaxUsers) {
        throw UsersChangeRefused("the file holds 10000 users, the most it may");
    }
    index_.emplace(user.name.str(), lines_.size());
    lines_.push_back(Line{"", std::move(user)});
}

void Users::set_hash(const UserName& name, std::string hash) {
    auto found = index_.find(name.str());
    if (found == index_.end()) {
        throw UsersChangeRefused("no user " + name.str());
    }
    lines_[found->second].user->hash = std::move(hash);
}

void Users::remove(const UserName& name) {
    auto found = index_.find(name.str());
    if (found == index_.end()) {
        throw UsersChangeRefused("no user " + name.str());
    }
    lines_.erase(lines_.begin() + static_cast<std::ptrdiff_t>(found->second));
    reindex();
}

void Users::reindex() {
    index_.clear();
    for (std::size_t i = 0; i < lines_.size(); ++i) {
        if (lines_[i].user) {
            index_.emplace(lines_[i].user->name.str(), i);
        }
    }
}

std::optional<Role> Users::verify(std::string_view name, std::string_view password) const {
    return verify(name, password, password_matches);
}

std::optional<Role> Users::verify(std::string_view name, std::string_view password,
                                  const PasswordCheck& check) const {
    auto parsed = UserName::parse(name);
    const User* user = parsed ? find(*parsed) : nullptr;
    if (user == nullptr) {
        check(password, dummy_password_hash());
        return std::nullopt;
    }
    if (!check(password, user->hash)) {
        return std::nullopt;
    }
    return user->role;
}

const std::string& dummy_password_hash() {
    // The hash of a random password nobody kept, at the default cost that
    // hash_password uses, so a missing user costs what a present one does.
    static const std::string hash =
        "$y$j9T$UGsY1MVk.x4tjp.g06ews.$4lo2MCsTI0NpiWZ/81c3RfhWfrRuFU6cSEyoZkKEHNB";
    return hash;
}

Users load_users(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        throw UsersFileError(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
    }
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};
    struct stat status {};
    if (::fstat(fd, &status) != 0) {
        throw UsersFileError(fmt::format("{}: cannot stat: {}", path, std::strerror(errno)));
    }
    if (!S_ISREG(status.st_mode)) {
        throw UsersFileError(path + ": not a regular file");
    }
    if ((status.st_mode & 027) != 0) {
        throw UsersFileError(
            fmt::format("{}: mode {:04o} lets others read or the group write it; chmod 0640 it",
                        path, status.st_mode & 07777));
    }
    if (static_cast<std::uint64_t>(status.st_size) > kMaxUsersFileBytes) {
        throw UsersFileError(path + ": larger than 1 MiB");
    }
    return Users::parse(read_capped(fd, path), path);
}

}  // namespace fbl::config
