#pragma once

#include <compare>
#include <cstddef>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

// The console's users file (web.console.users_file), read by fblweb and
// written by `fblctl user`: one user per line, "name:hash:role", the hash a
// crypt(3) hash (config/password_hash.h); '#' comments and blank lines are
// kept where they are when fblctl rewrites the file.
namespace fbl::config {

enum class Role { viewer, admin };

std::optional<Role> parse_role(std::string_view text);
std::string_view to_string(Role role);

// 1 to 64 of A-Z a-z 0-9 . _ @ -: nothing a log line or a cookie must escape.
class UserName {
  public:
    static std::optional<UserName> parse(std::string_view text);
    const std::string& str() const { return text_; }
    auto operator<=>(const UserName&) const = default;

  private:
    explicit UserName(std::string text) : text_(std::move(text)) {}
    std::string text_;
};

struct User {
    UserName name;
    std::string hash;
    Role role;
};

// Caps on what a stranger's file can make us hold.
inline constexpr std::size_t kMaxUsersFileBytes = 1024 * 1024;
inline constexpr std::size_t kMaxUsers = 10'000;
inline constexpr std::size_t kMaxUsersLineBytes = 1024;

// The file cannot be read or is not a users file: "PATH:LINE: why", never
// with a hash in it.
class UsersFileError : public std::runtime_error {
    using std::runtime_error::runtime_error;
};
// The file cannot be written (fblctl exits with EX_CANTCREAT).
class UsersFileWriteError : public std::runtime_error {
    using std::runtime_error::runtime_error;
};
// A change that does not fit the users there are: a name already taken, a
// name that is not there, the cap reached.
class UsersChangeRefused : public std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Checks a password against a crypt hash: password_matches, or a test's spy.
using PasswordCheck = std::function<bool(std::string_view password, const std::string& hash)>;

class Users {
  public:
    // Throws UsersFileError naming origin and the line of the first problem.
    static Users parse(std::string_view text, const std::string& origin);
    // The file's text: the users and the comments, in their order.
    std::string text() const;

    const User* find(const UserName& name) const;
    std::vector<User> list() const;  // in file order
    std::size_t size() const { return index_.size(); }

    // Each throws UsersChangeRefused when the change does not fit.
    void add(User user);
    void set_hash(const UserName& name, std::string hash);
    void remove(const UserName& name);

    // The role of name when password is theirs. Takes the same time for a
    // name that is not there (or not a name): the password is checked
    // against a dummy yescrypt hash, so timing does not tell who exists.
    std::optional<Role> verify(std::string_view name, std::string_view password) const;
    std::optional<Role> verify(std::string_view name, std::string_view password,
                               const PasswordCheck& check) const;

  private:
    struct Line {
        std::string text;          // a comment or a blank line, as it was
        std::optional<User> user;  // or a user
    };
    void reindex();

    std::vector<Line> lines_;
    std::unordered_map<std::string, std::size_t> index_;  // name -> lines_ index
};

// The hash verify() checks a missing user's password against.
const std::string& dummy_password_hash();

// Reads and parses path. Refuses (UsersFileError) a file that is not a
// regular file, is larger than kMaxUsersFileBytes, or that others may read
// or the group may write: a hash others can read is open to offline
// guessing, and a writable file lets its writers make themselves admin.
Users load_users(const std::string& path);

}  // namespace fbl::config
