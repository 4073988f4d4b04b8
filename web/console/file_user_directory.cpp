#include "web/console/file_user_directory.h"

#include "common/log.h"

namespace fbl::web::console {

FileUserDirectory::FileUserDirectory(std::string path) : cache_(std::move(path)) {}

std::optional<ConsoleUser> FileUserDirectory::authenticate(std::string_view name,
                                                           std::string_view password) {
    try {
        if (auto role = cache_.verify(name, password)) {
            return ConsoleUser{std::string(name), *role};
        }
    } catch (const config::UsersFileError& error) {
        log::error("console: nobody can log in: {}", error.what());
    }
    return std::nullopt;
}

std::optional<ConsoleUser> FileUserDirectory::find(std::string_view name) {
    auto parsed = config::UserName::parse(name);
    if (!parsed) {
        return std::nullopt;
    }
    try {
        if (const auto* user = cache_.current()->find(*parsed)) {
            return ConsoleUser{user->name.str(), user->role};
        }
    } catch (const config::UsersFileError&) {
        // authenticate() logs it; a file we cannot read ends every session.
    }
    return std::nullopt;
}

}  // namespace fbl::web::console
