#include <filesystem>

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/postgres/postgres_connection.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_connection.h"
#include "store/sqlite/sqlite_store.h"
#include "store/store.h"

namespace fbl::store {
namespace {

// SQLite only says "unable to open database file": say which part is missing.
void check_sqlite_path(const std::string& path, OpenMode mode) {
    auto directory = std::filesystem::path(path).parent_path();
    std::error_code error;
    if (!std::filesystem::is_directory(directory, error)) {
        throw StoreUnavailable(fmt::format("cannot open database {}: directory {} does not exist",
                                           path, directory.string()));
    }
    if (mode == OpenMode::existing && !std::filesystem::exists(path, error)) {
        throw StoreUnavailable(fmt::format(
            "no store at {} yet: fblmilter creates it at its first start, or a command that "
            "writes (fblctl add, import, ingest)",
            path));
    }
}

// Run as root, fblctl would leave the database (and its WAL files) owned by
// root, which the daemon's user then cannot open: they go to the owner of
// the directory, who is the daemon's user in the package.
void give_to_directory_owner(const std::string& path) {
    if (::geteuid() != 0) {
        return;
    }
    struct stat directory {};
    if (::stat(std::filesystem::path(path).parent_path().c_str(), &directory) != 0 ||
        directory.st_uid == 0) {
        return;
    }
    for (const auto& file : {path, path + "-wal", path + "-shm"}) {
        struct stat status {};
        if (::stat(file.c_str(), &status) == 0 && status.st_uid == 0 &&
            ::chown(file.c_str(), directory.st_uid, directory.st_gid) != 0) {
            throw StoreUnavailable(
                fmt::format("cannot give {} to the owner of its directory", file));
        }
    }
}

}  // namespace

std::unique_ptr<Store> open_store(const config::StoreSettings& settings, OpenMode mode) {
    switch (settings.backend) {
        case config::StoreBackend::sqlite: {
            check_sqlite_path(settings.sqlite.path, mode);
            auto store = std::make_unique<SqliteStore>(settings.sqlite);
            give_to_directory_owner(settings.sqlite.path);
            return store;
        }
        case config::StoreBackend::postgres:
            return std::make_unique<PostgresStore>(settings.postgres);
    }
    throw StoreUnavailable("unknown store backend");
}

std::optional<std::string> peek_key_settings(const config::StoreSettings& settings) {
    constexpr const char* kQuery = "SELECT value FROM store_meta WHERE name = 'key_settings'";
    try {
        switch (settings.backend) {
            case config::StoreBackend::sqlite: {
                std::error_code error;
                if (!std::filesystem::exists(settings.sqlite.path, error)) {
                    return std::nullopt;
                }
                std::optional<std::string> recorded;
                {
                    sqlite::Connection connection(settings.sqlite.path,
                                                  settings.sqlite.busy_timeout);
                    auto statement = connection.prepare(kQuery);
                    if (statement.step()) {
                        recorded = statement.text(0);
                    }
                }
                give_to_directory_owner(settings.sqlite.path);
                return recorded;
            }
            case config::StoreBackend::postgres: {
                postgres::Connection connection(settings.postgres);
                auto rows = connection.exec(kQuery);
                return rows.rows() ? std::optional(rows.text(0, 0)) : std::nullopt;
            }
        }
    } catch (const std::exception&) {
        // No store_meta yet (an older schema), or no store to ask.
    }
    return std::nullopt;
}

}  // namespace fbl::store
