#pragma once

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <unistd.h>

#include "config/config.h"
#include "store/postgres/postgres_store.h"
#include "tests/ci_skip.h"
#include "tests/suppression/temp_dir.h"

namespace fbl::testing {

// A throwaway PostgreSQL 15 cluster in a temp dir, listening only on a unix
// socket inside that dir, started by the test itself and stopped (and
// deleted) at the end. As root (CI) it runs as the `postgres` user, since
// initdb refuses root. started() is false when no server could be started:
// tests then skip (FBL_REQUIRE_PG), or fail when CI=true, where a backend
// that never ran must not pass as green.
class PgCluster {
  public:
    PgCluster() {
        const std::string bin = "/usr/lib/postgresql/15/bin";
        if (!std::filesystem::exists(bin + "/initdb")) {
            return;
        }
        std::string as_user;
        if (geteuid() == 0) {
            if (std::system(fmt::format("chown postgres: '{}'", dir_.path().string()).c_str()) !=
                0) {
                return;
            }
            as_user = "runuser -u postgres -- ";
        }
        data_ = dir_.file("data");
        pg_ctl_ = fmt::format("{}{}/pg_ctl -D '{}' -l '{}' ", as_user, bin, data_,
                              dir_.file("server.log"));
        std::string initdb = fmt::format("{}{}/initdb -D '{}' -A trust -U postgres >'{}' 2>&1",
                                         as_user, bin, data_, dir_.file("initdb.log"));
        if (std::system(initdb.c_str()) != 0) {
            return;
        }
        started_ = run("start");
    }
    ~PgCluster() {
        if (started_) {
            std::system((pg_ctl_ + "-m immediate stop >/dev/null 2>&1").c_str());
        }
    }
    PgCluster(const PgCluster&) = delete;
    PgCluster& operator=(const PgCluster&) = delete;

    bool started() const { return started_; }
    bool stop() { return std::system((pg_ctl_ + "-m fast -w stop >/dev/null 2>&1").c_str()) == 0; }
    bool start() { return run("start"); }

    // A fresh, empty database for one test.
    std::string create_database() {
        static std::atomic<int> counter{0};
        std::string name = fmt::format("fbl_{}_{}", getpid(), counter++);
        PGconn* admin = PQconnectdb(conninfo("postgres").c_str());
        PQclear(PQexec(admin, fmt::format("CREATE DATABASE {}", name).c_str()));
        PQfinish(admin);
        return name;
    }

    std::string conninfo(const std::string& database) const {
        return fmt::format("host={} port=5432 user=postgres dbname={}", dir_.path().string(),
                           database);
    }

    config::PostgresSettings settings(const std::string& database) const {
        config::PostgresSettings settings;
        settings.conninfo = conninfo(database);
        settings.connect_timeout = std::chrono::seconds(5);
        settings.statement_timeout = std::chrono::seconds(30);
        return settings;
    }

    // One cluster per test process, started on first use.
    static PgCluster& shared() {
        static PgCluster cluster;
        return cluster;
    }

  private:
    bool run(const std::string& action) {
        std::string options = fmt::format(
            "-o \"-k '{}' -c listen_addresses='' -p 5432 -c fsync=off\" -w {} >/dev/null 2>&1",
            dir_.path().string(), action);
        return std::system((pg_ctl_ + options).c_str()) == 0;
    }

    TempDir dir_;
    std::string data_;
    std::string pg_ctl_;
    bool started_ = false;
};

// Skips the calling test when `cluster` did not start, fails it under CI.
#define FBL_REQUIRE_PG(cluster)                                              \
    do {                                                                     \
        if (!(cluster).started()) {                                          \
            FBL_SKIP_OR_FAIL_IN_CI("no PostgreSQL server could be started"); \
        }                                                                    \
    } while (false)

// A test with a fresh database of its own on the shared cluster (or on the
// cluster a subclass returns from cluster(), e.g. one it may restart).
class PgDatabaseTest : public ::testing::Test {
  protected:
    void SetUp() override {
        FBL_REQUIRE_PG(cluster());
        database = cluster().create_database();
    }
    virtual PgCluster& cluster() { return PgCluster::shared(); }
    std::unique_ptr<store::PostgresStore> open() {
        return std::make_unique<store::PostgresStore>(cluster().settings(database));
    }

    std::string database;
};

}  // namespace fbl::testing
