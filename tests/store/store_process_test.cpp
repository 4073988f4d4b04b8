// The store shared by processes: two writers at once, and a writer killed in
// the middle of a report's transaction.
#include <set>

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/store/store_test_support.h"

namespace fbl::store {
namespace {

using fbl::testing::complaint_for;
using fbl::testing::entry_for;
using fbl::testing::job_for;
using fbl::testing::open_sqlite;
using fbl::testing::TempDir;

// Runs `body` in a child process; returns its exit status (or 128 + signal).
template <typename Body>
pid_t spawn(Body body) {
    pid_t pid = fork();
    if (pid == 0) {
        int status = 0;
        try {
            status = body();
        } catch (const std::exception& error) {
            fprintf(stderr, "child failed: %s\n", error.what());
            status = 99;
        }
        _exit(status);
    }
    return pid;
}

int wait_for(pid_t pid) {
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

constexpr int kPerWriter = 200;

int write_many(const std::string& path, const std::string& prefix) {
    auto store = open_sqlite(path);
    for (int i = 0; i < kPerWriter; ++i) {
        std::string key = prefix + std::to_string(i) + "@example.com";
        if (i % 2 == 0) {
            store->add(entry_for(key));
        } else {
            store->record_complaint(complaint_for(prefix + std::to_string(i), {key}),
                                    Scope::marketing, std::nullopt,
                                    {job_for("crm", prefix + std::to_string(i))});
        }
    }
    return 0;
}

TEST(StoreProcesses, TwoProcessesWriteAtOnce) {
    TempDir dir;
    std::string path = dir.file("store.db");
    open_sqlite(path).reset();  // create the schema once, as the daemon would

    pid_t first = spawn([&] { return write_many(path, "a"); });
    pid_t second = spawn([&] { return write_many(path, "b"); });
    ASSERT_EQ(wait_for(first), 0);
    ASSERT_EQ(wait_for(second), 0);

    auto store = open_sqlite(path);
    EXPECT_EQ(store->list({}).size(), 2u * kPerWriter);
    EXPECT_EQ(store->complaints({}).size(), std::size_t{kPerWriter});
    EXPECT_EQ(store->outbox(fbl::store::JobState::pending).size(), std::size_t{kPerWriter});
    auto changes = store->changes_since(0, 10 * kPerWriter);
    ASSERT_EQ(changes.size(), 2u * kPerWriter);
    std::set<std::string> keys;
    for (std::size_t i = 0; i < changes.size(); ++i) {
        keys.insert(changes[i].key);
        if (i > 0) {
            EXPECT_GT(changes[i].sequence, changes[i - 1].sequence);
        }
    }
    EXPECT_EQ(keys.size(), 2u * kPerWriter);
}

TEST(StoreProcesses, SchemaCreatedByTwoProcessesAtOnce) {
    TempDir dir;
    std::string path = dir.file("store.db");
    pid_t first = spawn([&] { return write_many(path, "a"); });
    pid_t second = spawn([&] { return write_many(path, "b"); });
    EXPECT_EQ(wait_for(first), 0);
    EXPECT_EQ(wait_for(second), 0);
    EXPECT_EQ(open_sqlite(path)->list({}).size(), 2u * kPerWriter);
}

class CrashInsideRecordComplaint : public ::testing::TestWithParam<const char*> {};

// The process dies between the statements of one report (after the
// complaint row, after the suppressions, after the jobs): on reopening
// there is no trace of the report, and recording it again works in full.
TEST_P(CrashInsideRecordComplaint, LeavesNothingHalfWritten) {
    TempDir dir;
    std::string path = dir.file("store.db");
    open_sqlite(path)->add(entry_for("before@example.com"));
    std::string crash_point = GetParam();

    auto complaint = complaint_for("report-1", {"a@example.com", "b@example.com"});
    std::vector<OutboxJob> jobs{job_for("crm", "report-1:a"), job_for("crm", "report-1:b")};
    pid_t child = spawn([&] {
        auto store = open_sqlite(path);
        store->set_test_hook([&](std::string_view point) {
            if (point == crash_point) {
                _exit(42);  // no unwinding, no rollback: as if killed
            }
        });
        store->record_complaint(complaint, Scope::marketing, std::nullopt, jobs);
        return 0;
    });
    ASSERT_EQ(wait_for(child), 42);

    auto store = open_sqlite(path);
    EXPECT_TRUE(store->complaints({}).empty());
    EXPECT_FALSE(store->find("a@example.com"));
    EXPECT_FALSE(store->find("b@example.com"));
    EXPECT_TRUE(store->outbox(std::nullopt).empty());
    EXPECT_EQ(store->last_sequence(), 1);
    EXPECT_TRUE(store->find("before@example.com"));

    auto result = store->record_complaint(complaint, Scope::marketing, std::nullopt, jobs);
    EXPECT_FALSE(result.duplicate);
    EXPECT_EQ(result.suppressed, 2);
    EXPECT_EQ(result.jobs, 2);
}

INSTANTIATE_TEST_SUITE_P(EveryStatement, CrashInsideRecordComplaint,
                         ::testing::Values("complaint", "suppressions", "jobs"));

// A writer killed by SIGKILL at arbitrary moments: every report is either
// entirely there or entirely absent.
TEST(StoreProcesses, KilledWriterLeavesWholeReportsOnly) {
    TempDir dir;
    std::string path = dir.file("store.db");
    open_sqlite(path).reset();
    for (int round = 0; round < 5; ++round) {
        int started[2];
        ASSERT_EQ(pipe(started), 0);
        pid_t child = spawn([&] {
            auto store = open_sqlite(path);
            for (int i = 0;; ++i) {
                std::string id = std::to_string(round) + "-" + std::to_string(i);
                store->record_complaint(
                    complaint_for(id, {"x" + id + "@example.com", "y" + id + "@example.com"}),
                    Scope::marketing, std::nullopt, {job_for("crm", id)});
                if (i == 0 && write(started[1], "x", 1) != 1) {
                    return 1;
                }
            }
            return 0;
        });
        char byte = 0;
        ASSERT_EQ(read(started[0], &byte, 1), 1);  // one report is in: kill it while writing more
        close(started[0]);
        close(started[1]);
        usleep(static_cast<useconds_t>(10000 + round * 7000));
        kill(child, SIGKILL);
        wait_for(child);
    }
    auto store = open_sqlite(path);
    auto complaints = store->complaints({});
    EXPECT_FALSE(complaints.empty());
    for (const auto& complaint : complaints) {
        ASSERT_EQ(complaint.recipients.size(), 2u);
        EXPECT_TRUE(store->find(complaint.recipients[0].key));
        EXPECT_TRUE(store->find(complaint.recipients[1].key));
    }
    EXPECT_EQ(store->list({}).size(), 2 * complaints.size());
    EXPECT_EQ(store->outbox(std::nullopt).size(), complaints.size());
    EXPECT_EQ(store->changes_since(0, 1000000).size(), 2 * complaints.size());
}

}  // namespace
}  // namespace fbl::store
