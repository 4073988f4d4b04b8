#include "suppression/postgres_store.h"
#include "suppression/sqlite_store.h"
#include "suppression/store.h"

namespace fbl::suppression {

std::unique_ptr<Store> open_store(const config::StoreSettings& settings) {
    switch (settings.backend) {
        case config::StoreBackend::sqlite:
            return std::make_unique<SqliteStore>(settings.sqlite);
        case config::StoreBackend::postgres:
            return std::make_unique<PostgresStore>(settings.postgres);
    }
    throw StoreUnavailable("unknown store backend");
}

}  // namespace fbl::suppression
