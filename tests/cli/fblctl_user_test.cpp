// fblctl user add|passwd|remove|list through the built binary, the
// password on stdin as a script gives it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "config/users_file.h"
#include "tests/cli/fblctl_fixture.h"

namespace fbl::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class FblctlUserTest : public fbl::testing::FblctlFixture {
  protected:
    void SetUp() override { write_config("web:\n  console:\n    users_file: " + users + "\n"); }

    fbl::testing::RunResult user(std::vector<std::string> arguments,
                                 const std::string& input = "") {
        arguments.insert(arguments.begin(), {"-c", config, "user"});
        return fbl::testing::run_fblctl_with_input(dir.path().string(), arguments, input);
    }

    std::optional<config::Role> login(const std::string& name, const std::string& password) {
        return config::load_users(users).verify(name, password);
    }

    std::string users = dir.file("console-users");
};

TEST_F(FblctlUserTest, AddChangeListAndRemoveUsersWithThePasswordOnStdin) {
    auto added = user({"add", "alice", "--role", "admin"}, "alice's first password\n");
    ASSERT_EQ(added.status, 0) << added.err;
    EXPECT_THAT(added.out, HasSubstr("added user alice (admin)"));
    ASSERT_EQ(user({"add", "bob@example.com", "--role", "viewer"}, "bob's password!\r\n").status,
              0);
    struct stat status {};
    ASSERT_EQ(::stat(users.c_str(), &status), 0);
    EXPECT_EQ(status.st_mode & 07777, 0640u);
    EXPECT_EQ(login("alice", "alice's first password"), config::Role::admin);
    EXPECT_EQ(login("bob@example.com", "bob's password!"), config::Role::viewer)
        << "a CRLF line ends where a LF line does";

    auto listed = user({"list"});
    ASSERT_EQ(listed.status, 0) << listed.err;
    EXPECT_EQ(listed.out,
              "name             role\nalice            admin\nbob@example.com  viewer\n");
    EXPECT_THAT(user({"list", "--format", "csv"}).out, Not(HasSubstr("$y$")));

    auto changed = user({"passwd", "alice"}, "alice's second password\n");
    ASSERT_EQ(changed.status, 0) << changed.err;
    EXPECT_EQ(login("alice", "alice's first password"), std::nullopt);
    EXPECT_EQ(login("alice", "alice's second password"), config::Role::admin);

    auto removed = user({"remove", "bob@example.com"});
    ASSERT_EQ(removed.status, 0) << removed.err;
    EXPECT_EQ(login("bob@example.com", "bob's password!"), std::nullopt);
    EXPECT_EQ(user({"list", "--format", "json"}).out,
              "[\n  {\n    \"name\": \"alice\",\n    \"role\": \"admin\"\n  }\n]\n");
}

TEST_F(FblctlUserTest, TheUsersFileOptionOverridesTheConfig) {
    std::string other = dir.file("other-users");
    auto added =
        user({"add", "carol", "--role", "viewer", "--users-file", other}, "carol's password\n");
    ASSERT_EQ(added.status, 0) << added.err;
    EXPECT_EQ(config::load_users(other).size(), 1u);
    EXPECT_FALSE(std::filesystem::exists(users));
}

TEST_F(FblctlUserTest, BadPasswordsNamesAndChangesAreRefusedWithoutShowingSecrets) {
    ASSERT_EQ(user({"add", "alice", "--role", "admin"}, "alice's password\n").status, 0);
    std::string before = fbl::testing::read_text(users);
    struct Case {
        std::vector<std::string> arguments;
        std::string input;
        int status;
        std::string message;
    };
    for (const auto& [arguments, input, status, message] : std::vector<Case>{
             {{"add", "bob", "--role", "viewer"}, "short pw\n", 65, "shorter than 10 characters"},
             {{"add", "bob", "--role", "viewer"}, "\n", 65, "the password is empty"},
             {{"add", "bob", "--role", "viewer"}, "", 65, "the password is empty"},
             {{"add", "bob", "--role", "viewer"},
              std::string(1025, 'p') + "\n",
              65,
              "longer than 1024"},
             {{"add", "alice", "--role", "viewer"},
              "another password\n",
              65,
              "user alice exists already"},
             {{"passwd", "nobody"}, "another password\n", 65, "no user nobody"},
             {{"remove", "nobody"}, "", 65, "no user nobody"},
             {{"add", "bad name", "--role", "viewer"},
              "another password\n",
              2,
              "a user name is 1 to 64"},
             {{"add", "bob", "--role", "root"}, "another password\n", 2, "root not in"},
         }) {
        auto refused = user(arguments, input);
        EXPECT_EQ(refused.status, status)
            << arguments[0] << " " << arguments[1] << ": " << refused.err;
        EXPECT_THAT(refused.err, HasSubstr(message)) << arguments[0] << " " << arguments[1];
        EXPECT_THAT(refused.err + refused.out, Not(HasSubstr("password\n")));
        EXPECT_THAT(refused.err + refused.out, Not(HasSubstr("$y$j9T")));
    }
    EXPECT_EQ(fbl::testing::read_text(users), before) << "no refused change touched the file";
}

TEST_F(FblctlUserTest, AFileOthersMayReadIsAConfigurationError) {
    ASSERT_EQ(user({"add", "alice", "--role", "admin"}, "alice's password\n").status, 0);
    ::chmod(users.c_str(), 0644);
    for (const std::vector<std::string>& command :
         {std::vector<std::string>{"list"}, {"remove", "alice"}}) {
        auto refused = user(command);
        EXPECT_EQ(refused.status, 78) << command[0] << ": " << refused.err;
        EXPECT_THAT(refused.err, HasSubstr("mode 0644")) << command[0];
    }
}

TEST_F(FblctlUserTest, AWeakHashInTheFileIsRefusedAtLoadWithItsLine) {
    std::ofstream(users) << "# admins\nold:$1$saltsalt$qjXMvbEw8oaL.CzflDugX/:admin\n";
    ::chmod(users.c_str(), 0640);
    auto refused = user({"list"});
    EXPECT_EQ(refused.status, 78) << refused.err;
    EXPECT_THAT(refused.err, HasSubstr(users + ":2: user old: the hash uses MD5-crypt"));
    EXPECT_THAT(refused.err, Not(HasSubstr("qjXMvbEw8oaL")));
}

}  // namespace
}  // namespace fbl::cli
