#pragma once

#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "store/postgres/postgres_store.h"
#include "tests/store/pg_cluster.h"
#include "tests/store/store_test_support.h"

namespace fbl::testing {

// A fresh store of the backend named by the test parameter ("sqlite" or
// "postgres"); the PostgreSQL cases use a throwaway cluster (pg_cluster.h)
// and skip when none can be started.
class BackendTest : public ::testing::TestWithParam<std::string> {
  protected:
    void SetUp() override {
        if (GetParam() == "sqlite") {
            store = open_sqlite(dir.file("store.db"));
            return;
        }
        auto& cluster = PgCluster::shared();
        FBL_REQUIRE_PG(cluster);
        store = std::make_unique<store::PostgresStore>(cluster.settings(cluster.create_database()));
    }

    TempDir dir;
    std::unique_ptr<store::Store> store;
};

}  // namespace fbl::testing
