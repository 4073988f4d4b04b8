// fblctl and the files the daemon needs: read commands never create the
// store, a created store belongs to its directory's owner, and `key new`
// makes a key file the loader accepts (issue 21, items 8 and 9).
#include <filesystem>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/loader.h"
#include "tests/ci_skip.h"
#include "tests/cli/fblctl_fixture.h"

namespace fbl::cli {
namespace {

using fbl::testing::RunResult;
using ::testing::HasSubstr;

// The store in var/, a directory the tests make (or leave out).
class FblctlStoreTest : public fbl::testing::FblctlFixture {
  protected:
    FblctlStoreTest() { database = dir.file("var/fbl.db"); }
};

TEST_F(FblctlStoreTest, ReadCommandsNeverCreateTheStore) {
    std::filesystem::create_directory(dir.path() / "var");
    write_config();
    for (const std::vector<std::string>& command :
         {std::vector<std::string>{"list"},
          {"check", "a@example.com"},
          {"complaints"},
          {"export", "--format", "json", "--output", dir.file("out.json")},
          {"stats"},
          {"outbox", "list"},
          {"outbox", "show", "1"}}) {
        auto result = fblctl(command);
        EXPECT_EQ(result.status, 75) << command[0] << ": " << result.out << result.err;
        EXPECT_THAT(result.err, HasSubstr("no store at " + database + " yet")) << command[0];
        EXPECT_FALSE(std::filesystem::exists(database)) << command[0] << " created the store";
    }
    ASSERT_EQ(fblctl({"add", "a@example.com"}).status, 0);
    EXPECT_TRUE(std::filesystem::exists(database));
    EXPECT_EQ(fblctl({"check", "a@example.com"}).status, 1);
}

TEST_F(FblctlStoreTest, AMissingStoreDirectoryIsNamed) {
    write_config();
    auto result = fblctl({"add", "a@example.com"});
    EXPECT_EQ(result.status, 75) << result.err;
    EXPECT_THAT(result.err, HasSubstr("directory " + dir.file("var") + " does not exist"));
    EXPECT_THAT(result.err, ::testing::Not(HasSubstr("unable to open database file")));
}

// Run as root before the daemon's first start, fblctl must leave a store
// the daemon's user can open.
TEST_F(FblctlStoreTest, AStoreCreatedAsRootBelongsToItsDirectorysOwner) {
    if (::geteuid() != 0) {
        FBL_SKIP_OR_FAIL_IN_CI("needs root to create a store for another user");
    }
    const passwd* nobody = ::getpwnam("nobody");
    ASSERT_NE(nobody, nullptr);
    std::filesystem::create_directory(dir.path() / "var");
    ASSERT_EQ(::chown(dir.file("var").c_str(), nobody->pw_uid, nobody->pw_gid), 0);
    write_config();
    ASSERT_EQ(fblctl({"add", "a@example.com"}).status, 0);
    for (const auto& file : {database, database + "-wal", database + "-shm"}) {
        struct stat status {};
        if (::stat(file.c_str(), &status) == 0) {
            EXPECT_EQ(status.st_uid, nobody->pw_uid) << file;
        }
    }
}

TEST_F(FblctlStoreTest, KeyNewMakesAKeyTheLoaderAccepts) {
    std::filesystem::create_directory(dir.path() / "secrets");
    write_config();
    auto created = fblctl({"key", "new", "k1"});
    ASSERT_EQ(created.status, 0) << created.err;
    auto key_file = dir.file("secrets/ref-k1.key");
    struct stat status {};
    ASSERT_EQ(::stat(key_file.c_str(), &status), 0);
    EXPECT_EQ(status.st_mode & 07777, 0600u);
    auto content = fbl::testing::read_text(key_file);
    EXPECT_EQ(content.size(), 45u) << content;  // base64 of 32 bytes and a newline
    EXPECT_THAT(created.out, HasSubstr("      - {id: k1, key_file: " + key_file + "}\n"));
    EXPECT_THAT(created.out, HasSubstr("    active_key: k1\n"));

    // The printed lines, pasted under feedback.reference_header, load.
    std::string pasted;
    std::istringstream lines(created.out);
    for (std::string line; std::getline(lines, line);) {
        if (!line.starts_with("#")) {
            pasted += line + "\n";
        }
    }
    auto loaded = config::load_string("feedback:\n  reference_header:\n" + pasted, "pasted.yaml");
    ASSERT_EQ(loaded.feedback.reference_header.keys.size(), 1u);
    EXPECT_EQ(loaded.feedback.reference_header.keys[0].key.reveal().size(), 44u);

    // Never overwrites a key: mail signed with it would become unverifiable.
    auto again = fblctl({"key", "new", "k1"});
    EXPECT_EQ(again.status, 73);
    EXPECT_THAT(again.err, HasSubstr("File exists"));
    EXPECT_EQ(fbl::testing::read_text(key_file), content);

    EXPECT_EQ(fblctl({"key", "new", "bad id!"}).status, 2);
    auto missing = fblctl({"key", "new", "k2", "--dir", dir.file("nowhere")});
    EXPECT_EQ(missing.status, 73);
    EXPECT_THAT(missing.err, HasSubstr("directory " + dir.file("nowhere") + " does not exist"));
}

TEST_F(FblctlStoreTest, KeyNewAsRootGivesTheKeyToMilterUser) {
    if (::geteuid() != 0) {
        FBL_SKIP_OR_FAIL_IN_CI("needs root to give a file to another user");
    }
    const passwd* nobody = ::getpwnam("nobody");
    ASSERT_NE(nobody, nullptr);
    std::filesystem::create_directory(dir.path() / "keys");
    write_config("milter:\n  user: nobody\n");
    auto created = fblctl({"key", "new", "k2", "--dir", dir.file("keys")});
    ASSERT_EQ(created.status, 0) << created.err;
    EXPECT_THAT(created.out, HasSubstr("owner nobody"));
    struct stat status {};
    ASSERT_EQ(::stat(dir.file("keys/ref-k2.key").c_str(), &status), 0);
    EXPECT_EQ(status.st_uid, nobody->pw_uid);
    EXPECT_EQ(status.st_mode & 07777, 0600u);
}

}  // namespace
}  // namespace fbl::cli
