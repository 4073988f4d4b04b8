// fblctl migrate end to end: the built binary moves a real SQLite store into
// a throwaway PostgreSQL database, and every row of every table arrives.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "store/postgres/postgres_store.h"
#include "suppression/lookup.h"
#include "tests/cli/fblctl_runner.h"
#include "tests/store/pg_cluster.h"
#include "tests/store/store_test_support.h"

namespace fbl::store {
namespace {

using namespace std::chrono_literals;
using fbl::testing::complaint_for;
using fbl::testing::entry_for;
using fbl::testing::job_for;
using fbl::testing::PgCluster;
using fbl::testing::RunResult;
using fbl::testing::TempDir;
using suppression::SuppressionLookup;
using ::testing::HasSubstr;

using TableRows = std::map<std::string, std::vector<HistoryRow>>;

TableRows history_of(Store& store) {
    TableRows rows;
    store.export_history(
        [&](const HistoryTable& table, const HistoryRow& row) { rows[table.name].push_back(row); });
    for (auto& [table, list] : rows) {
        std::sort(list.begin(), list.end());  // each backend orders text its own way
    }
    return rows;
}

TimePoint at(std::int64_t seconds) {
    return TimePoint(std::chrono::seconds(seconds));
}

// One row of every kind, with the awkward values: NULLs, tabs, newlines and
// backslashes in text, an expired suppression, a removal in the feed, jobs
// in every state.
void populate(SqliteStore& store) {
    auto manual = entry_for("m@example.com", Reason::unsubscribe);
    manual.scope = Scope::all;
    manual.first_at = at(1'700'000'000);
    manual.last_at = at(1'700'000'100);
    manual.count = 3;
    manual.expires_at = at(4'000'000'000);
    manual.mailing_id = "spring";
    manual.note = "asked by phone\twith a tab\nand a line\\break";
    store.add(manual);
    auto expired = entry_for("old@example.com", Reason::bounce);
    expired.expires_at = at(1'600'000'000);
    store.add(expired);
    store.add(entry_for("gone@example.com"));
    store.remove("gone@example.com", "mailed again");

    auto trusted = complaint_for("r1", {"c1@example.com", "c2@example.com"});
    trusted.arrival_date = at(1'700'000'500);
    trusted.recipients[1].evidence = "reference-header";
    trusted.report_json = R"({"subject":"line\nbreak"})";
    store.record_complaint(
        trusted, Scope::marketing, at(4'100'000'000),
        {job_for("crm", "j1"), job_for("crm", "j2"), job_for("crm", "j3"), job_for("other", "j4")});
    store.record_complaint(complaint_for("r2", {"u@example.com"}, false), Scope::marketing,
                           std::nullopt, {});
    auto leased = store.lease_jobs("crm", 3, 60s);
    ASSERT_EQ(leased.size(), 3u);
    store.complete_job(leased[0].id, "200 OK");
    store.dead_letter_job(leased[1].id, "HTTP 400", "bad request");
    store.retry_job(leased[2].id, at(1'900'000'000), "HTTP 503");

    store.record_sends(
        {{"msg-1@example.com", "c1@example.com", "C1@example.com", "spring", at(1'700'000'000)},
         {"msg-1@example.com", "c2@example.com", "c2@example.com", "spring", at(1'700'000'000)},
         {"msg-2@example.com", "m@example.com", "m@example.com", "", at(1'700'000'001)}});
}

class MigrateTest : public ::testing::Test {
  protected:
    void SetUp() override {
        FBL_REQUIRE_PG(PgCluster::shared());
        database = PgCluster::shared().create_database();
        auto source = fbl::testing::open_sqlite(sqlite_path);
        populate(*source);
    }

    RunResult fblctl(std::vector<std::string> arguments) {
        return fbl::testing::run_fblctl(dir.path().string(), arguments);
    }
    std::unique_ptr<PostgresStore> target() {
        return std::make_unique<PostgresStore>(PgCluster::shared().settings(database));
    }
    std::string to_postgres() { return "postgres:" + PgCluster::shared().conninfo(database); }

    TempDir dir;
    std::string sqlite_path = dir.file("fbl.db");
    std::string database;
};

TEST_F(MigrateTest, EveryRowOfEveryTableArrives) {
    auto run = fblctl({"migrate", "--from", "sqlite:" + sqlite_path, "--to", to_postgres()});
    ASSERT_EQ(run.status, 0) << run.err;
    EXPECT_THAT(run.out, HasSubstr("suppressions"));
    EXPECT_THAT(run.out, ::testing::ContainsRegex("complaints +2\n"));
    EXPECT_THAT(run.out, ::testing::ContainsRegex("outbox +4\n"));
    EXPECT_THAT(run.out, ::testing::ContainsRegex("send_log +3\n"));

    auto source = fbl::testing::open_sqlite(sqlite_path);
    auto migrated = target();
    auto expected = history_of(*source);
    auto actual = history_of(*migrated);
    for (const auto& table : history_tables()) {
        EXPECT_FALSE(expected[table.name].empty()) << table.name << ": the fixture misses a kind";
        EXPECT_EQ(actual[table.name], expected[table.name]) << table.name;
    }

    // The store works on: the copied rows read back through the interface,
    // new ids continue after the copied ones, a node's index holds the keys.
    auto manual = migrated->find("m@example.com");
    ASSERT_TRUE(manual);
    EXPECT_EQ(manual->note, "asked by phone\twith a tab\nand a line\\break");
    EXPECT_EQ(manual->count, 3);
    EXPECT_FALSE(migrated->find("old@example.com"));
    EXPECT_EQ(migrated->outbox(fbl::store::JobState::dead).size(), 1u);
    EXPECT_EQ(migrated->find_sends("msg-1@example.com").size(), 2u);
    auto complaints = migrated->complaints({});
    ASSERT_EQ(complaints.size(), 2u);
    EXPECT_EQ(complaints[0].recipients[1].evidence, "reference-header");
    auto next = migrated->record_complaint(complaint_for("r3", {"n@example.com"}), Scope::all,
                                           std::nullopt, {job_for("crm", "j5")});
    EXPECT_GT(next.complaint_id, complaints[1].id);
    EXPECT_GT(migrated->last_sequence(), source->last_sequence());
    SuppressionLookup lookup(*migrated, 1h);
    lookup.start();
    EXPECT_TRUE(lookup.lookup("c1@example.com"));
    EXPECT_TRUE(lookup.lookup("n@example.com"));
    lookup.stop();
}

TEST_F(MigrateTest, BackFromPostgresIntoANewSqliteFile) {
    ASSERT_EQ(fblctl({"migrate", "--from", "sqlite:" + sqlite_path, "--to", to_postgres()}).status,
              0);
    auto back_path = dir.file("back.db");
    auto back = fblctl({"migrate", "--from", to_postgres(), "--to", "sqlite:" + back_path});
    ASSERT_EQ(back.status, 0) << back.err;
    auto original = fbl::testing::open_sqlite(sqlite_path);
    auto copy = fbl::testing::open_sqlite(back_path);
    EXPECT_EQ(history_of(*copy), history_of(*original));
}

TEST_F(MigrateTest, ASecondMigrationIsRefusedAndChangesNothing) {
    ASSERT_EQ(fblctl({"migrate", "--from", "sqlite:" + sqlite_path, "--to", to_postgres()}).status,
              0);
    auto before = history_of(*target());
    auto again = fblctl({"migrate", "--from", "sqlite:" + sqlite_path, "--to", to_postgres()});
    EXPECT_EQ(again.status, 73);
    EXPECT_THAT(again.err, HasSubstr("already holds"));
    EXPECT_EQ(history_of(*target()), before);
}

TEST_F(MigrateTest, TargetFromTheConfigFile) {
    std::ofstream(dir.file("fblmilter.yaml"))
        << "store:\n  backend: postgres\n  postgres:\n    conninfo: \""
        << PgCluster::shared().conninfo(database) << "\"\n";
    auto run = fblctl({"-c", dir.file("fblmilter.yaml"), "migrate", "--from",
                       "sqlite:" + sqlite_path, "--to", "postgres"});
    ASSERT_EQ(run.status, 0) << run.err;
    EXPECT_EQ(target()->complaints({}).size(), 2u);
}

TEST_F(MigrateTest, BadEndpointsAreUsageErrors) {
    auto missing =
        fblctl({"migrate", "--from", "sqlite:" + dir.file("absent.db"), "--to", to_postgres()});
    EXPECT_EQ(missing.status, 2);
    EXPECT_THAT(missing.err, HasSubstr("absent.db is not a file"));
    EXPECT_FALSE(std::filesystem::exists(dir.file("absent.db")));

    auto unknown = fblctl({"migrate", "--from", "mysql:db", "--to", to_postgres()});
    EXPECT_EQ(unknown.status, 2);
    EXPECT_THAT(unknown.err, HasSubstr("'mysql:db' is not a store"));

    auto secret = fblctl({"migrate", "--from", "sqlite:" + sqlite_path, "--to",
                          "postgres:host=/tmp password=hunter2"});
    EXPECT_EQ(secret.status, 2);
    EXPECT_THAT(secret.err, ::testing::Not(HasSubstr("hunter2")));

    auto not_a_store = dir.file("notes.txt");
    std::ofstream(not_a_store) << "not a database\n";
    auto corrupt = fblctl({"migrate", "--from", "sqlite:" + not_a_store, "--to", to_postgres()});
    EXPECT_NE(corrupt.status, 0);
    EXPECT_FALSE(corrupt.err.empty());
    EXPECT_TRUE(history_of(*target())["suppressions"].empty());
}

}  // namespace
}  // namespace fbl::store
