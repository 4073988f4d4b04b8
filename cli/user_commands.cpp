// fblctl user add|passwd|remove|list: the console's users file
// (web.console.users_file), never showing a password or a hash.
#include <filesystem>
#include <functional>
#include <iostream>
#include <memory>
#include <string>

#include <string.h>  // explicit_bzero
#include <unistd.h>

#include "cli/commands.h"
#include "cli/password_input.h"
#include "cli/suppression_commands.h"
#include "config/password_hash.h"
#include "config/users_file.h"
#include "config/users_file_update.h"

namespace fbl::cli {
namespace {

using config::Role;
using config::UserName;

struct UserArguments {
    std::string users_file;  // --users-file; empty = the config's
    std::string name;
    std::string role;
    std::string format = "table";
};

std::string users_file(Context& context, const UserArguments& arguments) {
    return arguments.users_file.empty() ? context.config().web.console.users_file
                                        : arguments.users_file;
}

// The new password's hash; the password itself is wiped once hashed.
std::string new_password_hash() {
    std::string password = read_new_password(STDIN_FILENO, std::cerr);
    std::string hash = config::hash_password(password);
    explicit_bzero(password.data(), password.size());
    return hash;
}

// Runs one change, mapping each way it can fail to fblctl's exit status.
int change(const std::string& command, const std::function<int()>& run) {
    try {
        return run();
    } catch (const PasswordRefused& error) {
        complain(command, error.what());
        return kExitDataErr;
    } catch (const config::UsersChangeRefused& error) {
        complain(command, error.what());
        return kExitDataErr;
    } catch (const config::UsersFileError& error) {
        complain(command, error.what());
        return kExitConfig;
    } catch (const config::UsersFileWriteError& error) {
        complain(command, error.what());
        return kExitCantCreate;
    }
}

// Whether name is in the file now, so that no password is asked for in
// vain; the change itself checks again under the lock.
bool listed_now(const std::string& path, const UserName& name) {
    std::error_code ignored;
    return std::filesystem::exists(path, ignored) && config::load_users(path).find(name) != nullptr;
}

// Runs a change to the user named on the command line (exit 2 when that is
// not a name).
int change_user(const std::string& command, const UserArguments& arguments,
                const std::function<int(const UserName&)>& run) {
    auto name = UserName::parse(arguments.name);
    if (!name) {
        complain(command, "a user name is 1 to 64 of A-Z a-z 0-9 . _ @ -");
        return kExitUsage;
    }
    return change(command, [&] { return run(*name); });
}

int run_add(Context& context, const UserArguments& arguments) {
    Role role = *config::parse_role(arguments.role);  // CLI11 allowed only the two
    return change_user("user add", arguments, [&](const UserName& name) {
        std::string path = users_file(context, arguments);
        if (listed_now(path, name)) {
            throw config::UsersChangeRefused("user " + name.str() + " exists already");
        }
        std::string hash = new_password_hash();
        config::update_users(path, [&](config::Users& users) {
            users.add(config::User{name, hash, role});
        });
        std::cout << "added user " << name.str() << " (" << config::to_string(role) << ")\n";
        return kExitOk;
    });
}

int run_passwd(Context& context, const UserArguments& arguments) {
    return change_user("user passwd", arguments, [&](const UserName& name) {
        std::string path = users_file(context, arguments);
        if (config::load_users(path).find(name) == nullptr) {
            throw config::UsersChangeRefused("no user " + name.str());
        }
        std::string hash = new_password_hash();
        config::update_users(path, [&](config::Users& users) { users.set_hash(name, hash); });
        std::cout << "changed the password of " << name.str() << '\n';
        return kExitOk;
    });
}

int run_remove(Context& context, const UserArguments& arguments) {
    return change_user("user remove", arguments, [&](const UserName& name) {
        config::update_users(users_file(context, arguments),
                             [&](config::Users& users) { users.remove(name); });
        std::cout << "removed user " << name.str() << '\n';
        return kExitOk;
    });
}

int run_list(Context& context, const UserArguments& arguments) {
    return change("user list", [&] {
        Records records{{"name", "role"}, {}};
        for (const auto& user : config::load_users(users_file(context, arguments)).list()) {
            records.rows.push_back({user.name.str(), std::string(config::to_string(user.role))});
        }
        return emit("user list", *parse_format(arguments.format), records);
    });
}

}  // namespace

void add_user_commands(CLI::App& app, Context& context, Action& action) {
    auto arguments = std::make_shared<UserArguments>();
    auto* user = app.add_subcommand("user", "console users (web.console.users_file)");
    user->require_subcommand(1);
    user->fallthrough();
    user->add_option("--users-file", arguments->users_file,
                     "the users file (default: web.console.users_file of -c)");
    auto on = [&action, &context, arguments](CLI::App* command, auto run) {
        command->callback([&action, &context, arguments, run] {
            action = [&context, arguments, run] { return run(context, *arguments); };
        });
    };

    auto* add = user->add_subcommand(
        "add", "add a user; the password is asked twice on a terminal, else one line of stdin");
    add->add_option("name", arguments->name, "1-64 of A-Z a-z 0-9 . _ @ -")->required();
    add->add_option("--role", arguments->role, "viewer (read, export) or admin (changes)")
        ->required()
        ->check(CLI::IsMember({"viewer", "admin"}));
    on(add, run_add);

    auto* passwd = user->add_subcommand("passwd", "set a user's password (asked as for add)");
    passwd->add_option("name", arguments->name, "the user")->required();
    on(passwd, run_passwd);

    auto* remove = user->add_subcommand("remove", "remove a user: their next request is refused");
    remove->add_option("name", arguments->name, "the user")->required();
    on(remove, run_remove);

    auto* list = user->add_subcommand("list", "list the users' names and roles (never hashes)");
    list->add_option("--format", arguments->format, "table, csv or json")
        ->check(CLI::IsMember({"table", "csv", "json"}));
    on(list, run_list);
}

}  // namespace fbl::cli
