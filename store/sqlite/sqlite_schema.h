#pragma once

#include "store/sqlite/sqlite_connection.h"

namespace fbl::store::sqlite {

// The schema version this binary writes (PRAGMA user_version).
int current_schema_version();

// Applies every migration the database lacks, each in its own transaction.
// A database newer than this binary throws StoreCorrupt and is left alone.
void migrate(Connection& connection);

}  // namespace fbl::store::sqlite
