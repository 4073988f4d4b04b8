// The follower on the shared backend: another node's commit reaches this
// node's index through LISTEN/NOTIFY, and a lost session (server restart,
// terminated backend) is caught up from the change feed. Every follower here
// polls only once an hour, so what arrives came by notification or by the
// catch-up after a reconnect, never by the periodic safety-net read.
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include "store/postgres/postgres_store.h"
#include "suppression/lookup.h"
#include "tests/store/pg_cluster.h"
#include "tests/store/store_test_support.h"

namespace fbl::suppression {
namespace {

using store::StoreUnavailable;

using namespace std::chrono_literals;
using fbl::testing::complaint_for;
using fbl::testing::PgCluster;

constexpr std::chrono::milliseconds kNoPeriodicRead = 1h;

// Polls `condition` until it holds or a generous deadline passes: the test
// checks that something happens, never how fast.
template <typename Condition>
bool within_ten_seconds(Condition condition) {
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < deadline) {
        if (condition()) {
            return true;
        }
        std::this_thread::sleep_for(10ms);
    }
    return condition();
}

// Retries a write until the (restarted) server takes it.
template <typename Write>
bool eventually_written(Write write) {
    auto deadline = std::chrono::steady_clock::now() + 60s;
    while (std::chrono::steady_clock::now() < deadline) {
        try {
            write();
            return true;
        } catch (const StoreUnavailable&) {
            std::this_thread::sleep_for(50ms);
        }
    }
    return false;
}

class PostgresFollowerTest : public fbl::testing::PgDatabaseTest {
  protected:
    bool indexed(const SuppressionLookup& lookup, const std::string& key) {
        return lookup.index().might_contain(key);
    }
};

TEST_F(PostgresFollowerTest, AnotherNodesComplaintWakesTheFollower) {
    auto node_a = open();
    auto node_b = open();
    SuppressionLookup lookup_b(*node_b, kNoPeriodicRead);
    lookup_b.start();
    EXPECT_FALSE(indexed(lookup_b, "a@example.com"));

    node_a->record_complaint(complaint_for("r1", {"a@example.com"}), Scope::all, std::nullopt, {});
    EXPECT_TRUE(within_ten_seconds([&] { return indexed(lookup_b, "a@example.com"); }));

    node_a->remove("a@example.com", "asked to be mailed again");
    EXPECT_TRUE(within_ten_seconds([&] { return !indexed(lookup_b, "a@example.com"); }));
    lookup_b.stop();  // returns although the interval is an hour
}

TEST_F(PostgresFollowerTest, ChangesCommittedBeforeStartAreInTheIndex) {
    auto node_a = open();
    node_a->record_complaint(complaint_for("r1", {"early@example.com"}), Scope::all, std::nullopt,
                             {});
    auto node_b = open();
    SuppressionLookup lookup_b(*node_b, kNoPeriodicRead);
    lookup_b.start();
    EXPECT_TRUE(indexed(lookup_b, "early@example.com"));
}

// build() reads every key in one binary COPY: values arrive exactly.
TEST_F(PostgresFollowerTest, EveryKeyArrivesWithItsScopeAndExpiry) {
    auto store = open();
    auto plain = fbl::testing::entry_for("plain@example.com");
    auto odd = fbl::testing::entry_for("\"back\\slash\ttab\"@bücher.example");
    odd.scope = Scope::all;
    odd.expires_at = TimePoint(std::chrono::microseconds(4'102'444'800'123'456));
    store->add_all({plain, odd});
    std::map<std::string, std::pair<Scope, std::optional<TimePoint>>> seen;
    store->for_each_key(
        [&](const std::string& key, Scope scope, const std::optional<TimePoint>& expires) {
            seen[key] = {scope, expires};
        });
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_EQ(seen[plain.key].first, Scope::marketing);
    EXPECT_FALSE(seen[plain.key].second);
    EXPECT_EQ(seen[odd.key].first, Scope::all);
    EXPECT_EQ(seen[odd.key].second, odd.expires_at);
}

TEST_F(PostgresFollowerTest, TerminatedSessionsAreReopenedAndTheFeedCaughtUp) {
    auto node_a = open();
    auto node_b = open();
    SuppressionLookup lookup_b(*node_b, kNoPeriodicRead);
    lookup_b.start();
    node_a->record_complaint(complaint_for("r1", {"first@example.com"}), Scope::all, std::nullopt,
                             {});
    ASSERT_TRUE(within_ten_seconds([&] { return indexed(lookup_b, "first@example.com"); }));

    // Every session on the database dies (an administrator, a failover);
    // notifications sent until B listens again are lost.
    PGconn* admin = PQconnectdb(cluster().conninfo("postgres").c_str());
    PQclear(PQexec(admin, fmt::format("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                      "WHERE datname = '{}'",
                                      database)
                              .c_str()));
    PQfinish(admin);

    ASSERT_TRUE(eventually_written([&] {
        node_a->record_complaint(complaint_for("r2", {"second@example.com"}), Scope::all,
                                 std::nullopt, {});
    }));
    EXPECT_TRUE(within_ten_seconds([&] { return indexed(lookup_b, "second@example.com"); }));
    EXPECT_TRUE(indexed(lookup_b, "first@example.com"));
}

// Its own cluster, so restarting it disturbs no other test.
class PostgresFollowerRestartTest : public PostgresFollowerTest {
  protected:
    PgCluster& cluster() override { return own_cluster_; }
    PgCluster own_cluster_;
};

TEST_F(PostgresFollowerRestartTest, ServerRestartIsCaughtUp) {
    auto node_a = open();
    auto node_b = open();
    SuppressionLookup lookup_b(*node_b, kNoPeriodicRead);
    lookup_b.start();

    ASSERT_TRUE(cluster().stop());
    // While the database is down the index keeps what it had and answers.
    EXPECT_FALSE(indexed(lookup_b, "after@example.com"));
    ASSERT_TRUE(cluster().start());

    ASSERT_TRUE(eventually_written([&] {
        node_a->record_complaint(complaint_for("r1", {"after@example.com"}), Scope::all,
                                 std::nullopt, {});
    }));
    EXPECT_TRUE(within_ten_seconds([&] { return indexed(lookup_b, "after@example.com"); }));
    lookup_b.stop();
}

}  // namespace
}  // namespace fbl::suppression
