// fblctl key new ID: a reference-header key in one step, with the owner and
// mode the loader accepts, and the YAML lines that name it.
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <fcntl.h>
#include <fmt/format.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/commands.h"
#include "common/crypto.h"
#include "config/secret.h"
#include "feedback_loop/reference.h"

namespace fbl::cli {
namespace {

constexpr int kKeyBytes = 32;

// 32 random bytes as base64 text: the file's content is the HMAC key.
std::string new_key_text() {
    return crypto::base64_encode(crypto::random_bytes(kKeyBytes));
}

struct Owner {
    uid_t uid = static_cast<uid_t>(-1);
    gid_t gid = static_cast<gid_t>(-1);
    std::string name;
};

// The daemon's user reads the key after it dropped root (at reload): as
// root, the file goes to milter.user; otherwise it stays the caller's.
std::optional<Owner> key_owner(const config::MilterSettings& milter) {
    if (::geteuid() != 0 || milter.user.empty()) {
        return std::nullopt;
    }
    const passwd* user = ::getpwnam(milter.user.c_str());
    if (user == nullptr) {
        throw std::runtime_error("milter.user: no such user " + milter.user);
    }
    Owner owner{user->pw_uid, user->pw_gid, milter.user};
    if (!milter.group.empty()) {
        const group* named = ::getgrnam(milter.group.c_str());
        if (named == nullptr) {
            throw std::runtime_error("milter.group: no such group " + milter.group);
        }
        owner.gid = named->gr_gid;
    }
    return owner;
}

void write_key_file(const std::string& path, const std::string& key,
                    const std::optional<Owner>& owner) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        throw std::runtime_error(fmt::format("cannot create {}: {}", path, std::strerror(errno)));
    }
    std::string content = key + "\n";
    bool written =
        ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size()) &&
        ::fchmod(fd, 0600) == 0 && (!owner || ::fchown(fd, owner->uid, owner->gid) == 0) &&
        ::fsync(fd) == 0;
    int saved = errno;
    ::close(fd);
    if (!written) {
        ::unlink(path.c_str());
        throw std::runtime_error(fmt::format("cannot write {}: {}", path, std::strerror(saved)));
    }
}

int new_key(Context& context, const std::string& id, std::string dir) {
    const auto& config = context.config();
    if (dir.empty()) {
        dir = (std::filesystem::absolute(context.config_path).parent_path() / "secrets").string();
    }
    auto key = new_key_text();
    try {
        // The signer's own checks: an id it would refuse is refused here.
        feedback_loop::ReferenceSigner(config::ReferenceKey{id, config::Secret(key, "new key")});
    } catch (const std::invalid_argument& error) {
        std::cerr << "fblctl key new: " << error.what() << '\n';
        return kExitUsage;
    }
    if (!std::filesystem::is_directory(dir)) {
        std::cerr << "fblctl key new: directory " << dir << " does not exist\n";
        return kExitCantCreate;
    }
    auto path = (std::filesystem::path(dir) / ("ref-" + id + ".key")).string();
    auto owner = key_owner(config.milter);
    try {
        write_key_file(path, key, owner);
    } catch (const std::runtime_error& error) {
        std::cerr << "fblctl key new: " << error.what() << '\n';
        return kExitCantCreate;
    }
    std::cout << fmt::format(
        "# created {} (mode 0600, owner {})\n"
        "# paste under feedback.reference_header: in {}, then reload\n"
        "# (keep the keys already listed: reports about mail they signed need them)\n"
        "    keys:\n"
        "      - {{id: {}, key_file: {}}}\n"
        "    active_key: {}\n",
        path, owner ? owner->name : "you", context.config_path, id, path, id);
    return kExitOk;
}

}  // namespace

void add_key_command(CLI::App& app, Context& context, Action& action) {
    auto* key = app.add_subcommand("key", "reference-header keys");
    key->require_subcommand(1);
    auto id = std::make_shared<std::string>();
    auto dir = std::make_shared<std::string>();
    auto* created = key->add_subcommand(
        "new",
        "create a reference key file (32 random bytes, base64, mode 0600, owned by "
        "milter.user when run as root) and print the YAML lines that use it");
    created->add_option("id", *id, "key id: 1-32 of A-Z a-z 0-9 _ -")->required();
    created->add_option("--dir", *dir, "where the key file goes (default: secrets/ next to -c)");
    created->callback([&context, &action, id, dir] {
        action = [&context, id, dir] { return new_key(context, *id, *dir); };
    });
}

}  // namespace fbl::cli
