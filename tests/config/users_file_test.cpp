// The console's users file (config/users_file.h, users_file_update.h,
// users_cache.h) and its password hashes (config/password_hash.h).
#include "config/users_file.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <crypt.h>
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "config/password_hash.h"
#include "config/users_cache.h"
#include "config/users_file_update.h"
#include "tests/suppression/temp_dir.h"

namespace fbl::config {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// A hash that parses; its password is unknown (tests that log in make their own).
const std::string& any_hash() {
    return dummy_password_hash();
}

UserName name(std::string_view text) {
    return *UserName::parse(text);
}

std::string parse_error(const std::string& text) {
    try {
        Users::parse(text, "users");
    } catch (const UsersFileError& error) {
        return error.what();
    }
    return "parsed";
}

void write_file(const std::string& path, const std::string& text, mode_t mode = 0640) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
    ::chmod(path.c_str(), mode);
}

TEST(UsersFile, ParsesUsersBesideCommentsAndWritesTheSameTextBack) {
    std::string text = "# console users\n\nalice:" + any_hash() +
                       ":admin\n  # viewers\nbob.b@x-y_z:" + any_hash() + ":viewer\n";
    auto users = Users::parse(text, "users");
    ASSERT_EQ(users.size(), 2u);
    EXPECT_EQ(users.find(name("alice"))->role, Role::admin);
    EXPECT_EQ(users.find(name("bob.b@x-y_z"))->role, Role::viewer);
    EXPECT_EQ(users.find(name("carol")), nullptr);
    EXPECT_EQ(users.text(), text);
    EXPECT_EQ(Users::parse(users.text(), "again").text(), text);
}

TEST(UsersFile, AddSetHashAndRemoveKeepTheCommentsInPlace) {
    auto users = Users::parse("# top\nalice:" + any_hash() + ":viewer\n# end\n", "users");
    users.add(User{name("bob"), any_hash(), Role::admin});
    users.set_hash(name("alice"), "$2b$05$qz2m7MTr5/zpfHA71Ngay.abcdefghijklmnopqrstuvwxyz01234");
    users.remove(name("alice"));
    EXPECT_EQ(users.text(), "# top\n# end\nbob:" + any_hash() + ":admin\n");
    EXPECT_THROW(users.add(User{name("bob"), any_hash(), Role::viewer}), UsersChangeRefused);
    EXPECT_THROW(users.remove(name("alice")), UsersChangeRefused);
    EXPECT_THROW(users.set_hash(name("alice"), any_hash()), UsersChangeRefused);
    ASSERT_EQ(users.list().size(), 1u);
    EXPECT_EQ(users.list()[0].name.str(), "bob");
}

TEST(UsersFile, ABadLineIsNamedByItsNumberAndNeverShowsTheHash) {
    std::string good = "alice:" + any_hash() + ":admin\n";
    EXPECT_THAT(parse_error(good + "# c\nbob:" + any_hash() + ":root\n"),
                HasSubstr("users:3: the role is not viewer or admin"));
    EXPECT_THAT(parse_error(good + "b b:" + any_hash() + ":admin\n"),
                HasSubstr("users:2: the name"));
    EXPECT_THAT(parse_error(good + "bob:" + any_hash() + "\n"),
                HasSubstr("users:2: expected name:hash:role"));
    EXPECT_THAT(parse_error(good + "alice:" + any_hash() + ":viewer\n"),
                HasSubstr("users:2: user alice is named twice"));
    EXPECT_THAT(parse_error(std::string(65, 'a') + ":" + any_hash() + ":admin\n"),
                HasSubstr("users:1: the name"));
    for (const auto& text :
         {good + "bob:" + any_hash() + ":root\n", good + "bob:$1$salt$hash:admin\n"}) {
        EXPECT_THAT(parse_error(text), Not(HasSubstr("UGsY1MVk"))) << text;
        EXPECT_THAT(parse_error(text), Not(HasSubstr("salt$hash"))) << text;
    }
}

TEST(UsersFile, WeakAndLegacyHashesAreRefusedWithTheirMethodNamed) {
    struct Case {
        std::string hash;
        std::string method;
    };
    for (const auto& [hash, method] : std::vector<Case>{
             {"abJnggxhB/yWI", "traditional DES"},
             {"$1$saltsalt$qjXMvbEw8oaL.CzflDugX/", "MD5-crypt"},
             {"hunter2hunter2", "plain text"},
             {"$6$salt$"
              "IxDD3jeSOb5eB1CX5LBsqZFVkJdido3OUILO5Ifz5iwMuTS4XMS130MTSuDDl3aCI6WouIL9AjRbLCelDCy."
              "g.",
              "SHA-512-crypt"},
             {"$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", "bcrypt $2a$"}}) {
        std::string error = parse_error("alice:" + hash + ":admin\n");
        EXPECT_THAT(error, HasSubstr("users:1: user alice: the hash uses " + method)) << hash;
        EXPECT_THAT(error, HasSubstr("fblctl user passwd")) << hash;
        EXPECT_THAT(error, Not(HasSubstr(hash))) << hash;
    }
    EXPECT_THAT(parse_error("alice:$y$!!:admin\n"), HasSubstr("not one libxcrypt reads"));
}

TEST(UsersFile, BoundsOnLinesUsersAndSize) {
    std::string long_comment = "#" + std::string(1024, 'x') + "\n";
    EXPECT_THAT(parse_error("# ok\n" + long_comment), HasSubstr("users:2: longer than 1024 bytes"));
    EXPECT_EQ(parse_error("#" + std::string(1023, 'x') + "\n"), "parsed");

    std::string many;
    for (std::size_t i = 0; i <= kMaxUsers; ++i) {
        many += "u" + std::to_string(i) + ":" + any_hash() + ":viewer\n";
    }
    EXPECT_THAT(parse_error(many), HasSubstr("users:10001: more than 10000 users"));

    std::string big;
    while (big.size() <= kMaxUsersFileBytes) {
        big += "#" + std::string(1000, 'x') + "\n";
    }
    EXPECT_THAT(parse_error(big), HasSubstr("larger than 1 MiB"));
}

TEST(UsersFile, AddingPastTheCapIsRefused) {
    Users users;
    for (std::size_t i = 0; i < kMaxUsers; ++i) {
        users.add(User{name("u" + std::to_string(i)), any_hash(), Role::viewer});
    }
    EXPECT_THROW(users.add(User{name("one-more"), any_hash(), Role::viewer}), UsersChangeRefused);
}

TEST(PasswordHash, NewHashesAreYescryptAndMatchOnlyTheirPassword) {
    std::string hash = hash_password("correct horse battery");
    EXPECT_TRUE(hash.starts_with("$y$")) << "a yescrypt hash";
    EXPECT_EQ(hash_problem(hash), "");
    EXPECT_TRUE(password_matches("correct horse battery", hash));
    EXPECT_FALSE(password_matches("correct horse batterY", hash));
    EXPECT_FALSE(password_matches("", hash));
    EXPECT_NE(hash_password("correct horse battery"), hash) << "a fresh salt each time";
}

TEST(PasswordHash, BcryptHashesAreAccepted) {
    char setting[CRYPT_GENSALT_OUTPUT_SIZE];
    ASSERT_NE(crypt_gensalt_rn("$2b$", 5, nullptr, 0, setting, sizeof setting), nullptr);
    crypt_data data{};
    std::string hash = crypt_rn("bcrypt password", setting, &data, sizeof data);
    std::string hash_2y = "$2y$" + hash.substr(4);
    for (const auto& accepted : {hash, hash_2y}) {
        EXPECT_EQ(hash_problem(accepted), "") << accepted;
        EXPECT_TRUE(password_matches("bcrypt password", accepted)) << accepted;
        EXPECT_FALSE(password_matches("bcrypt passwort", accepted)) << accepted;
    }
}

TEST(PasswordHash, NewPasswordsAreTenCharactersToAKibibyteWithoutNul) {
    EXPECT_THAT(password_problem(""), HasSubstr("empty"));
    EXPECT_THAT(password_problem("123456789"), HasSubstr("shorter than 10"));
    EXPECT_EQ(password_problem("1234567890"), "");
    EXPECT_EQ(password_problem("æøåæøåæøåæ"), "") << "ten characters, twenty bytes";
    EXPECT_THAT(password_problem("æøåæø"), HasSubstr("shorter than 10"));
    EXPECT_THAT(password_problem(std::string(1025, 'a')), HasSubstr("longer than 1024"));
    EXPECT_EQ(password_problem(std::string(1024, 'a')), "");
    EXPECT_THAT(password_problem(std::string("1234567890\0x", 12)), HasSubstr("NUL"));
}

TEST(UsersVerify, TheRightPasswordGivesTheRoleAndAWrongOneNothing) {
    auto users = Users::parse("alice:" + hash_password("alice's password") + ":admin\n", "users");
    EXPECT_EQ(users.verify("alice", "alice's password"), Role::admin);
    EXPECT_EQ(users.verify("alice", "bob's password"), std::nullopt);
    EXPECT_EQ(users.verify("bob", "alice's password"), std::nullopt);
}

TEST(UsersVerify, AMissingUserCostsAHashCheckAgainstTheDummy) {
    auto users = Users::parse("alice:" + any_hash() + ":admin\n", "users");
    std::vector<std::string> checked;
    PasswordCheck spy = [&](std::string_view, const std::string& hash) {
        checked.push_back(hash);
        return true;
    };
    EXPECT_EQ(users.verify("nobody", "password", spy), std::nullopt);
    EXPECT_EQ(users.verify("not a name!", "password", spy), std::nullopt);
    EXPECT_EQ(users.verify("alice", "password", spy), Role::admin);
    EXPECT_EQ(checked, (std::vector<std::string>{dummy_password_hash(), dummy_password_hash(),
                                                 users.find(name("alice"))->hash}));
}

TEST(UsersVerify, TheDummyHashCostsWhatANewHashCosts) {
    // Same method and cost as hash_password's, so its check takes as long.
    std::string fresh = hash_password("some password");
    EXPECT_EQ(hash_problem(dummy_password_hash()), "");
    EXPECT_EQ(dummy_password_hash().substr(0, 7), fresh.substr(0, 7)) << "$y$ and cost";
    EXPECT_FALSE(password_matches("some password", dummy_password_hash()));
}

class UsersFileOnDisk : public ::testing::Test {
  protected:
    fbl::testing::TempDir dir;
    std::string path = dir.file("console-users");
};

TEST_F(UsersFileOnDisk, LoadRefusesAFileOthersMayReadOrTheGroupWrite) {
    write_file(path, "alice:" + any_hash() + ":admin\n", 0644);
    EXPECT_THROW(
        {
            try {
                load_users(path);
            } catch (const UsersFileError& error) {
                EXPECT_THAT(error.what(), HasSubstr("mode 0644"));
                throw;
            }
        },
        UsersFileError);
    ::chmod(path.c_str(), 0660);
    EXPECT_THROW(load_users(path), UsersFileError);
    ::chmod(path.c_str(), 0640);
    EXPECT_EQ(load_users(path).size(), 1u);
    EXPECT_THROW(load_users(dir.file("missing")), UsersFileError);
}

TEST_F(UsersFileOnDisk, LoadRefusesAFileLargerThanOneMebibyte) {
    write_file(path, std::string(kMaxUsersFileBytes + 1, '#'));
    EXPECT_THROW(load_users(path), UsersFileError);
}

TEST_F(UsersFileOnDisk, UpdateCreatesTheFileWithMode0640AndKeepsComments) {
    update_users(path, [](Users& users) {
        users.add(User{name("alice"), any_hash(), Role::admin});
    });
    struct stat status {};
    ASSERT_EQ(::stat(path.c_str(), &status), 0);
    EXPECT_EQ(status.st_mode & 07777, 0640u);
    write_file(path, "# hand-written\n" + load_users(path).text(), 0600);
    update_users(path, [](Users& users) {
        users.add(User{name("bob"), any_hash(), Role::viewer});
    });
    ASSERT_EQ(::stat(path.c_str(), &status), 0);
    EXPECT_EQ(status.st_mode & 07777, 0640u);
    EXPECT_EQ(load_users(path).text(),
              "# hand-written\nalice:" + any_hash() + ":admin\nbob:" + any_hash() + ":viewer\n");
    // No temporary file is left beside it.
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
        names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    EXPECT_EQ(names, (std::vector<std::string>{"console-users", "console-users.lock"}));
}

TEST_F(UsersFileOnDisk, AFailedEditLeavesTheFileAsItWas) {
    update_users(path, [](Users& users) {
        users.add(User{name("alice"), any_hash(), Role::admin});
    });
    std::string before = load_users(path).text();
    EXPECT_THROW(update_users(path, [](Users& users) { users.remove(name("bob")); }),
                 UsersChangeRefused);
    EXPECT_EQ(load_users(path).text(), before);
}

TEST_F(UsersFileOnDisk, ConcurrentWritersLoseNoChange) {
    constexpr int kWriters = 4;
    constexpr int kEach = 15;
    std::vector<std::thread> writers;
    for (int writer = 0; writer < kWriters; ++writer) {
        writers.emplace_back([this, writer] {
            for (int i = 0; i < kEach; ++i) {
                update_users(path, [&](Users& users) {
                    users.add(
                        User{name(fmt::format("w{}-{}", writer, i)), any_hash(), Role::viewer});
                });
            }
        });
    }
    for (auto& writer : writers) {
        writer.join();
    }
    EXPECT_EQ(load_users(path).size(), static_cast<std::size_t>(kWriters * kEach));
}

TEST_F(UsersFileOnDisk, TheCacheSeesARemovedUserAndANewPasswordAtOnce) {
    std::string first = hash_password("first password");
    update_users(path, [&](Users& users) {
        users.add(User{name("alice"), first, Role::admin});
        users.add(User{name("bob"), first, Role::viewer});
    });
    UsersCache cache(path);
    EXPECT_EQ(cache.verify("alice", "first password"), Role::admin);
    EXPECT_EQ(cache.verify("bob", "first password"), Role::viewer);
    auto held = cache.current();

    std::string second = hash_password("second password");
    update_users(path, [&](Users& users) {
        users.remove(name("bob"));
        users.set_hash(name("alice"), second);
    });
    EXPECT_EQ(cache.verify("bob", "first password"), std::nullopt);
    EXPECT_EQ(cache.verify("alice", "first password"), std::nullopt);
    EXPECT_EQ(cache.verify("alice", "second password"), Role::admin);
    EXPECT_NE(held->find(name("bob")), nullptr) << "a snapshot a request holds stays whole";
}

TEST_F(UsersFileOnDisk, TheCacheRefusesABrokenFileUntilItIsMended) {
    write_file(path, "alice:" + any_hash() + ":admin\n");
    UsersCache cache(path);
    EXPECT_EQ(cache.current()->size(), 1u);
    write_file(path, "alice:" + any_hash() + ":admin\nbroken line\n");
    EXPECT_THROW(cache.current(), UsersFileError) << "nobody logs in from a broken file";
    EXPECT_THROW(cache.current(), UsersFileError);
    write_file(path, "alice:" + any_hash() + ":admin\nbob:" + any_hash() + ":viewer\n");
    EXPECT_EQ(cache.current()->size(), 2u);
    std::filesystem::remove(path);
    EXPECT_THROW(cache.current(), UsersFileError);
}

TEST_F(UsersFileOnDisk, TheCacheServesManyThreadsWhileTheFileChanges) {
    update_users(path, [](Users& users) {
        users.add(User{name("alice"), any_hash(), Role::admin});
    });
    UsersCache cache(path);
    std::atomic<bool> done = false;
    std::atomic<int> reads = 0;
    std::vector<std::thread> readers;
    for (int i = 0; i < 2; ++i) {
        readers.emplace_back([&] {
            while (!done) {
                auto users = cache.current();
                if (users->find(name("alice")) != nullptr) {
                    ++reads;
                }
            }
        });
    }
    for (int i = 0; i < 20; ++i) {
        update_users(path, [&](Users& users) {
            users.add(User{name("u" + std::to_string(i)), any_hash(), Role::viewer});
        });
    }
    done = true;
    for (auto& reader : readers) {
        reader.join();
    }
    EXPECT_GT(reads.load(), 0);
    EXPECT_EQ(cache.current()->size(), 21u);
}

}  // namespace
}  // namespace fbl::config
