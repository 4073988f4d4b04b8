#include "store/sqlite/sqlite_store.h"

#include <fstream>
#include <thread>

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/store/store_test_support.h"

namespace fbl::store {
namespace {

// Behaviour shared with PostgreSQL is tested once for both backends in
// store_contract_test.cpp; this file holds what is SQLite's own.
using fbl::testing::entry_for;
using fbl::testing::open_sqlite;
using fbl::testing::TempDir;

class SqliteStoreTest : public ::testing::Test {
  protected:
    TempDir dir;
    std::string path = dir.file("store.db");
    std::unique_ptr<SqliteStore> store = open_sqlite(path);
};

TEST_F(SqliteStoreTest, ReopeningKeepsDataAndSchema) {
    store->add(entry_for("a@example.com"));
    store.reset();
    auto reopened = open_sqlite(path);
    EXPECT_TRUE(reopened->find("a@example.com"));
    EXPECT_EQ(reopened->last_sequence(), 1);
}

TEST(SqliteStoreOpen, NewerSchemaIsRefused) {
    TempDir dir;
    std::string path = dir.file("store.db");
    open_sqlite(path).reset();
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version = 999", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
    try {
        open_sqlite(path);
        FAIL() << "a newer schema was accepted";
    } catch (const StoreCorrupt& error) {
        EXPECT_NE(std::string(error.what()).find("schema version 999"), std::string::npos)
            << error.what();
    }
}

TEST(SqliteStoreOpen, FileThatIsNotSqliteIsRefused) {
    TempDir dir;
    std::string path = dir.file("store.db");
    std::ofstream(path) << "this is a text file, not a database, and it is long enough to matter\n"
                        << std::string(4096, 'x');
    try {
        open_sqlite(path);
        FAIL() << "a text file was accepted";
    } catch (const StoreCorrupt& error) {
        EXPECT_NE(std::string(error.what()).find("not a SQLite database"), std::string::npos)
            << error.what();
    }
    std::ifstream in(path);
    std::string first_line;
    std::getline(in, first_line);
    EXPECT_EQ(first_line.rfind("this is a text file", 0), 0u);  // left untouched
}

TEST(SqliteStoreOpen, UnopenablePathIsUnavailable) {
    TempDir dir;
    EXPECT_THROW(open_sqlite(dir.file("missing-directory/store.db")), StoreUnavailable);
    EXPECT_THROW(open_sqlite(dir.path().string()), StoreUnavailable);  // a directory
}

// Whether opening `path` is StoreUnavailable. Root writes to read-only
// files, so as root (CI) the open runs in a child that became nobody.
bool open_is_unavailable(const std::string& path) {
    auto unavailable = [&] {
        try {
            open_sqlite(path).reset();
            return false;
        } catch (const StoreUnavailable&) {
            return true;
        }
    };
    if (geteuid() != 0) {
        return unavailable();
    }
    pid_t child = fork();
    if (child == 0) {
        bool dropped = setgid(65534) == 0 && setuid(65534) == 0;
        _exit(dropped && unavailable() ? 0 : 1);
    }
    int status = 0;
    waitpid(child, &status, 0);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

TEST(SqliteStoreOpen, ReadOnlyFileIsUnavailable) {
    TempDir dir;
    std::string path = dir.file("store.db");
    open_sqlite(path).reset();
    namespace fs = std::filesystem;
    fs::permissions(path, fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
    fs::permissions(dir.path(), fs::perms::owner_all | fs::perms::group_read |
                                    fs::perms::group_exec | fs::perms::others_read |
                                    fs::perms::others_exec);
    EXPECT_TRUE(open_is_unavailable(path));
}

// A second process opening a new store while the first still writes it in
// its initial rollback-journal mode: SQLite refuses the WAL switch at once,
// without its busy handler. The open must wait for the lock like any write.
TEST(SqliteStoreOpen, WaitsWhileAnotherConnectionCreatesTheFile) {
    TempDir dir;
    std::string path = dir.file("store.db");
    sqlite3* creator = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &creator), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(creator, "BEGIN IMMEDIATE; CREATE TABLE first_writer(x)", nullptr,
                           nullptr, nullptr),
              SQLITE_OK);
    std::thread release([creator] {
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        sqlite3_exec(creator, "COMMIT", nullptr, nullptr, nullptr);
    });
    std::unique_ptr<SqliteStore> store;
    EXPECT_NO_THROW(store = open_sqlite(path));
    release.join();
    sqlite3_close(creator);
    ASSERT_TRUE(store);
    store->add(entry_for("a@example.com"));
    EXPECT_TRUE(store->find("a@example.com"));
}

TEST(SqliteStoreOpen, OpenStoreChoosesTheBackend) {
    TempDir dir;
    config::StoreSettings settings;
    settings.sqlite = fbl::testing::sqlite_settings(dir.file("store.db"));
    EXPECT_TRUE(open_store(settings));
    settings.backend = config::StoreBackend::postgres;
    EXPECT_THROW(open_store(settings), StoreUnavailable);
}

}  // namespace
}  // namespace fbl::store
