// What only the shared backend has to prove: several nodes on one database,
// an outage of the server, concurrent start-up migration.
#include "store/postgres/postgres_store.h"

#include <atomic>
#include <set>
#include <thread>

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include "store/postgres/postgres_connection.h"
#include "store/postgres/postgres_schema.h"
#include "suppression/lookup.h"
#include "tests/store/pg_cluster.h"
#include "tests/store/store_test_support.h"

namespace fbl::store {
namespace {

using namespace std::chrono_literals;
using fbl::testing::complaint_for;
using fbl::testing::entry_for;
using fbl::testing::job_for;
using fbl::testing::PgCluster;
using suppression::SuppressionLookup;

// Polls `condition` until it holds or a generous deadline passes: the test
// checks that something happens, never how fast.
template <typename Condition>
bool eventually(Condition condition) {
    auto deadline = std::chrono::steady_clock::now() + 60s;
    while (std::chrono::steady_clock::now() < deadline) {
        if (condition()) {
            return true;
        }
        std::this_thread::sleep_for(20ms);
    }
    return condition();
}

using PostgresStoreTest = fbl::testing::PgDatabaseTest;

// Issue 14 item 18: a silent database is noticed by the client, and a
// complaint is durable at commit whatever the server's default says.
TEST_F(PostgresStoreTest, SessionsKeepAliveAndCommitSynchronously) {
    postgres::Connection admin(cluster().settings(database));
    admin.execute("ALTER DATABASE " + database + " SET synchronous_commit = off");
    postgres::Connection connection(cluster().settings(database));
    EXPECT_EQ(connection.exec("SHOW synchronous_commit").text(0, 0), "on");
    EXPECT_EQ(connection.option("keepalives"), "1");
    EXPECT_EQ(connection.option("keepalives_idle"), "10");
    EXPECT_EQ(connection.option("tcp_user_timeout"), "30000");

    auto settings = cluster().settings(database);
    settings.conninfo += " keepalives_idle=42";  // the administrator's value wins
    postgres::Connection tuned(settings);
    EXPECT_EQ(tuned.option("keepalives_idle"), "42");
}

TEST_F(PostgresStoreTest, ComplaintOnOneNodeReachesTheOtherNodesIndex) {
    auto node_a = open();
    auto node_b = open();
    SuppressionLookup lookup_b(*node_b, 50ms);
    lookup_b.start();
    EXPECT_FALSE(lookup_b.lookup("a@example.com"));

    node_a->record_complaint(complaint_for("r1", {"a@example.com"}), Scope::all, std::nullopt, {});
    EXPECT_TRUE(eventually([&] { return lookup_b.lookup("a@example.com").has_value(); }));
    EXPECT_EQ(lookup_b.lookup("a@example.com")->scope, Scope::all);

    node_a->remove("a@example.com", "asked to be mailed again");
    EXPECT_TRUE(eventually([&] { return !lookup_b.lookup("a@example.com").has_value(); }));
    lookup_b.stop();
}

TEST_F(PostgresStoreTest, ACommittedChangeWakesTheOtherNodesListener) {
    auto node_a = open();
    auto node_b = open();
    EXPECT_TRUE(node_b->wait_for_change(10ms));   // starts listening: re-read the feed
    EXPECT_FALSE(node_b->wait_for_change(10ms));  // nothing since
    node_a->add(entry_for("a@example.com"));
    EXPECT_TRUE(eventually([&] { return node_b->wait_for_change(100ms); }));
}

TEST_F(PostgresStoreTest, TwoWorkersLeaseEveryJobExactlyOnce) {
    auto producer = open();
    constexpr int kJobs = 200;
    for (int i = 0; i < kJobs; ++i) {
        std::string id = "r" + std::to_string(i);
        producer->record_complaint(complaint_for(id, {id + "@example.com"}), Scope::marketing,
                                   std::nullopt, {job_for("crm", id)});
    }
    std::mutex mutex;
    std::multiset<std::int64_t> leased;
    auto work = [&] {
        auto worker = open();
        for (;;) {
            auto jobs = worker->lease_jobs("crm", 7, 3600s);
            if (jobs.empty()) {
                return;
            }
            std::vector<JobCompletion> done;
            for (const auto& job : jobs) {
                done.push_back({job.id, "204"});
            }
            worker->complete_jobs(done);
            std::lock_guard lock(mutex);
            for (const auto& job : jobs) {
                leased.insert(job.id);
            }
        }
    };
    std::thread first(work);
    std::thread second(work);
    first.join();
    second.join();
    EXPECT_EQ(leased.size(), static_cast<std::size_t>(kJobs));
    EXPECT_EQ(std::set<std::int64_t>(leased.begin(), leased.end()).size(), leased.size());
    EXPECT_EQ(producer->outbox(fbl::store::JobState::done).size(), static_cast<std::size_t>(kJobs));
}

// Concurrent writers on several nodes while a follower reads the feed: with
// changes numbered and committed in one order, reading `sequence > last`
// sees every change exactly once.
TEST_F(PostgresStoreTest, FollowerReadingDuringConcurrentWritesMissesNoChange) {
    constexpr int kWriters = 4;
    constexpr int kEach = 100;
    std::atomic<int> writers_done{0};
    std::vector<std::thread> writers;
    for (int writer = 0; writer < kWriters; ++writer) {
        writers.emplace_back([&, writer] {
            auto node = open();
            for (int i = 0; i < kEach; ++i) {
                node->add(entry_for("w" + std::to_string(writer) + "-" + std::to_string(i) +
                                    "@example.com"));
            }
            ++writers_done;
        });
    }
    auto reader = open();
    std::set<std::string> seen;
    std::int64_t last = 0;
    auto drain = [&] {
        for (const auto& change : reader->changes_since(last, 1000)) {
            EXPECT_GT(change.sequence, last);
            last = change.sequence;
            seen.insert(change.key);
        }
    };
    while (writers_done.load() < kWriters) {
        drain();
    }
    for (auto& thread : writers) {
        thread.join();
    }
    drain();
    EXPECT_EQ(seen.size(), static_cast<std::size_t>(kWriters * kEach));
}

TEST_F(PostgresStoreTest, TwoNodesMigratingAtOnceBothStart) {
    std::atomic<int> opened{0};
    std::vector<std::thread> nodes;
    for (int node = 0; node < 4; ++node) {
        nodes.emplace_back([&] {
            try {
                open();
                ++opened;
            } catch (const std::exception& error) {
                ADD_FAILURE() << error.what();
            }
        });
    }
    for (auto& thread : nodes) {
        thread.join();
    }
    EXPECT_EQ(opened.load(), 4);
    PGconn* connection = PQconnectdb(cluster().conninfo(database).c_str());
    PGresult* rows = PQexec(connection, "SELECT count(*) FROM fbl_schema_version");
    EXPECT_EQ(std::string(PQgetvalue(rows, 0, 0)),
              std::to_string(postgres::current_schema_version()));
    PQclear(rows);
    PQfinish(connection);
}

TEST_F(PostgresStoreTest, NewerSchemaIsRefused) {
    open().reset();
    PGconn* connection = PQconnectdb(cluster().conninfo(database).c_str());
    PQclear(PQexec(connection, "INSERT INTO fbl_schema_version VALUES (999)"));
    PQfinish(connection);
    try {
        open();
        FAIL() << "a newer schema was accepted";
    } catch (const StoreCorrupt& error) {
        EXPECT_NE(std::string(error.what()).find("schema version 999"), std::string::npos)
            << error.what();
    }
}

TEST(PostgresStoreOpen, UnreachableServerIsUnavailable) {
    config::PostgresSettings settings;
    settings.conninfo = "host=/nonexistent-fbl-socket-dir port=5432 user=nobody dbname=none";
    settings.connect_timeout = 2s;
    EXPECT_THROW(PostgresStore{settings}, StoreUnavailable);
}

// Its own cluster: stopping the shared one would disturb nothing here, but a
// restart must not depend on what other tests left running.
class PostgresRestartTest : public PostgresStoreTest {
  protected:
    PgCluster& cluster() override { return own_cluster_; }
    PgCluster own_cluster_;
};

TEST_F(PostgresRestartTest, OutageThrowsUnavailableAndNothingIsLost) {
    auto store = open();
    store->add(entry_for("before@example.com"));
    store->record_complaint(complaint_for("r1", {"c@example.com"}), Scope::marketing, std::nullopt,
                            {job_for("crm", "r1")});

    ASSERT_TRUE(cluster().stop());
    EXPECT_THROW(store->find("before@example.com"), StoreUnavailable);
    EXPECT_THROW(store->add(entry_for("during@example.com")), StoreUnavailable);
    EXPECT_THROW(store->lease_jobs("crm", 10, 60s), StoreUnavailable);
    ASSERT_TRUE(cluster().start());

    // The store reconnects by itself (after its back-off pause).
    EXPECT_TRUE(eventually([&] {
        try {
            store->add(entry_for("after@example.com"));
            return true;
        } catch (const StoreUnavailable&) {
            return false;
        }
    }));
    EXPECT_TRUE(store->find("before@example.com"));
    EXPECT_TRUE(store->find("c@example.com"));
    EXPECT_TRUE(store->find("after@example.com"));
    EXPECT_FALSE(store->find("during@example.com"));
    EXPECT_EQ(store->outbox(fbl::store::JobState::pending).size(), 1u);
    EXPECT_EQ(store->complaints({}).size(), 1u);
    EXPECT_EQ(store->changes_since(0, 100).size(), 3u);
}

}  // namespace
}  // namespace fbl::store
