#pragma once

#include "store/postgres/postgres_connection.h"

namespace fbl::store::postgres {

// Same version numbers as sqlite_schema: version N means the same tables on
// both backends, so fblctl migrate can copy between them.
int current_schema_version();

// Applies the missing migrations under a session advisory lock, so several
// nodes starting at once migrate exactly once. A newer schema than this
// binary knows throws StoreCorrupt.
void migrate(Connection& connection);

}  // namespace fbl::store::postgres
