#include "suppression/lookup.h"

#include <atomic>
#include <thread>

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/store/store_test_support.h"

namespace fbl::suppression {
namespace {

using store::SqliteStore;
using store::StoreUnavailable;
using store::Suppression;

using namespace std::chrono_literals;
using fbl::testing::entry_for;
using fbl::testing::open_sqlite;
using fbl::testing::TempDir;

// Waits (without asserting any timing) until `condition` holds; a generous
// deadline only keeps a broken follower from hanging the test run.
template <typename Condition>
bool eventually(Condition condition) {
    auto deadline = std::chrono::steady_clock::now() + 30s;
    while (std::chrono::steady_clock::now() < deadline) {
        if (condition()) {
            return true;
        }
        std::this_thread::sleep_for(20ms);
    }
    return condition();
}

// Runs an add or remove in a fresh process: this test binary re-executed
// with only ChildProcess.Act selected (fork alone is unsafe here, since the
// follower thread may hold a lock at the moment of the fork).
void in_other_process(const std::string& path, const std::string& action, const std::string& key) {
    pid_t pid = fork();
    if (pid == 0) {
        setenv("FBL_CHILD_DB", path.c_str(), 1);
        setenv("FBL_CHILD_ACTION", action.c_str(), 1);
        setenv("FBL_CHILD_KEY", key.c_str(), 1);
        execl("/proc/self/exe", "lookup_child", "--gtest_filter=ChildProcess.Act", nullptr);
        _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

TEST(ChildProcess, Act) {
    const char* path = std::getenv("FBL_CHILD_DB");
    if (path == nullptr) {
        GTEST_SKIP() << "only runs as the child of FollowsChangesMadeByAnotherProcess";
    }
    auto store = open_sqlite(path);
    std::string action = std::getenv("FBL_CHILD_ACTION");
    std::string key = std::getenv("FBL_CHILD_KEY");
    if (action == "add") {
        store->add(entry_for(key));
    } else {
        ASSERT_TRUE(store->remove(key, "from another process"));
    }
}

class LookupTest : public ::testing::Test {
  protected:
    TempDir dir;
    std::string path = dir.file("store.db");
    std::unique_ptr<SqliteStore> store = open_sqlite(path);
};

TEST_F(LookupTest, BuildsFromTheStoreAndAnswersFromTheIndex) {
    auto entry = entry_for("a@example.com");
    entry.scope = Scope::all;
    store->add(entry);
    auto expired = entry_for("gone@example.com");
    expired.expires_at = std::chrono::system_clock::now() - 1s;
    store->add(expired);

    SuppressionLookup lookup(*store, 50ms);
    lookup.follower().build();
    EXPECT_EQ(lookup.index().size(), 1u);
    auto found = lookup.lookup("a@example.com");
    ASSERT_TRUE(found);
    EXPECT_EQ(found->scope, Scope::all);
    EXPECT_FALSE(lookup.lookup("b@example.com"));
    EXPECT_FALSE(lookup.lookup("gone@example.com"));
}

TEST_F(LookupTest, PollAppliesChangesInOrder) {
    SuppressionLookup lookup(*store, 50ms);
    lookup.follower().build();
    store->add(entry_for("a@example.com"));
    store->add(entry_for("b@example.com"));
    store->remove("a@example.com", "");
    EXPECT_EQ(lookup.follower().poll_once(), 3u);
    EXPECT_FALSE(lookup.index().might_contain("a@example.com"));
    EXPECT_TRUE(lookup.index().might_contain("b@example.com"));
    EXPECT_EQ(lookup.follower().applied_sequence(), store->last_sequence());
    EXPECT_EQ(lookup.follower().poll_once(), 0u);
}

// Issue 14 item 13: a re-key by another process is announced before its
// changes reach the index, so the milter switches normalisation first.
TEST_F(LookupTest, ARekeyElsewhereIsAnnouncedBeforeItsChangesAreApplied) {
    store->rekey("old", [](const std::string& address) { return address; });
    auto entry = entry_for("ann+news@example.com");
    store->add(entry);
    SuppressionLookup lookup(*store, 50ms);
    lookup.follower().build();
    std::vector<std::string> announced;
    bool old_key_still_there = false;
    lookup.follower().watch_key_settings(*store, "old", [&](const std::string& recorded) {
        announced.push_back(recorded);
        old_key_still_there = lookup.index().might_contain("ann+news@example.com");
    });
    store->add(entry_for("other@example.com"));
    lookup.follower().poll_once();
    EXPECT_TRUE(announced.empty());  // an ordinary change: nothing to announce

    auto elsewhere = open_sqlite(path);
    elsewhere->rekey("new", [](const std::string& address) {
        auto plus = address.find('+');
        return plus == std::string::npos
                   ? address
                   : address.substr(0, plus) + address.substr(address.find('@'));
    });
    lookup.follower().poll_once();
    ASSERT_EQ(announced, std::vector<std::string>{"new"});
    EXPECT_TRUE(old_key_still_there);
    EXPECT_TRUE(lookup.lookup("ann@example.com"));
    EXPECT_FALSE(lookup.lookup("ann+news@example.com"));
    store->add(entry_for("third@example.com"));
    lookup.follower().poll_once();
    EXPECT_EQ(announced.size(), 1u);
}

TEST_F(LookupTest, ExpiryIsHonouredOnAHit) {
    SuppressionLookup lookup(*store, 50ms);
    lookup.follower().build();
    auto entry = entry_for("a@example.com");
    entry.expires_at = std::chrono::system_clock::now() - 1s;  // e.g. the clock passed it
    store->add(entry);
    lookup.follower().poll_once();
    EXPECT_TRUE(lookup.index().might_contain("a@example.com"));
    EXPECT_FALSE(lookup.lookup("a@example.com"));
}

// A store whose reads fail on demand, as a database does when it goes away.
class FailingStore : public SqliteStore {
  public:
    using SqliteStore::SqliteStore;
    std::atomic<bool> down{false};
    std::optional<Suppression> find(const std::string& key) override {
        fail_if_down();
        return SqliteStore::find(key);
    }
    std::vector<Change> changes_since(std::int64_t sequence, std::size_t limit) override {
        fail_if_down();
        return SqliteStore::changes_since(sequence, limit);
    }

  private:
    void fail_if_down() {
        if (down) {
            throw StoreUnavailable("the database is down");
        }
    }
};

TEST(LookupWithoutStore, AnswersFromTheIndexWhileTheStoreFails) {
    TempDir dir;
    FailingStore store(fbl::testing::sqlite_settings(dir.file("store.db")));
    auto everyone = entry_for("all@example.com");
    everyone.scope = Scope::all;
    store.add(everyone);
    auto marketing = entry_for("news@example.com");
    marketing.expires_at = std::chrono::system_clock::now() + 1h;
    store.add(marketing);
    SuppressionLookup lookup(store, 50ms);
    lookup.follower().build();

    store.down = true;
    EXPECT_THROW(lookup.follower().poll_once(), StoreUnavailable);
    auto found = lookup.lookup("all@example.com");
    ASSERT_TRUE(found);
    EXPECT_EQ(found->scope, Scope::all);
    found = lookup.lookup("news@example.com");
    ASSERT_TRUE(found);
    EXPECT_EQ(found->scope, Scope::marketing);
    EXPECT_GE(*found->expires_at, *marketing.expires_at);
    EXPECT_FALSE(lookup.lookup("friend@example.com"));
}

TEST_F(LookupTest, TheFeedCarriesScopeAndExpiry) {
    SuppressionLookup lookup(*store, 50ms);
    lookup.follower().build();
    auto entry = entry_for("a@example.com");
    entry.expires_at = std::chrono::system_clock::now() - 1s;
    store->add(entry);
    lookup.follower().poll_once();
    EXPECT_FALSE(lookup.lookup("a@example.com"));  // expired: a miss

    entry.expires_at.reset();
    entry.scope = Scope::all;
    store->add(entry);  // renewed for good, every mail
    lookup.follower().poll_once();
    auto found = lookup.lookup("a@example.com");
    ASSERT_TRUE(found);
    EXPECT_EQ(found->scope, Scope::all);
    EXPECT_FALSE(found->expires_at);
}

TEST_F(LookupTest, FollowsChangesMadeByAnotherProcess) {
    store->add(entry_for("early@example.com"));
    SuppressionLookup lookup(*store, 250ms);
    lookup.start();
    EXPECT_TRUE(lookup.lookup("early@example.com"));

    in_other_process(path, "add", "late@example.com");
    EXPECT_TRUE(eventually([&] { return lookup.lookup("late@example.com").has_value(); }));

    in_other_process(path, "remove", "early@example.com");
    EXPECT_TRUE(eventually([&] { return !lookup.index().might_contain("early@example.com"); }));
    EXPECT_FALSE(lookup.lookup("early@example.com"));
    lookup.stop();
}

TEST_F(LookupTest, ChangesDuringTheBuildAreNotLost) {
    for (int i = 0; i < 100; ++i) {
        store->add(entry_for("k" + std::to_string(i) + "@example.com"));
    }
    SuppressionLookup lookup(*store, 20ms);
    std::thread writer([&] {
        auto other = open_sqlite(path);
        for (int i = 100; i < 300; ++i) {
            other->add(entry_for("k" + std::to_string(i) + "@example.com"));
        }
    });
    lookup.start();
    writer.join();
    EXPECT_TRUE(
        eventually([&] { return lookup.follower().applied_sequence() == store->last_sequence(); }));
    for (int i = 0; i < 300; ++i) {
        EXPECT_TRUE(lookup.index().might_contain("k" + std::to_string(i) + "@example.com")) << i;
    }
}

}  // namespace
}  // namespace fbl::suppression
