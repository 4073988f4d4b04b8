#include "store/sqlite/sqlite_connection.h"

#include <stdexcept>
#include <thread>

#include <fmt/format.h>

#include "store/store.h"

namespace fbl::store::sqlite {

Connection::Connection(const std::string& path, std::chrono::milliseconds busy_timeout)
    : path_(path), busy_timeout_(busy_timeout) {
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    int status = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
    if (status != SQLITE_OK) {
        std::string message = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(status);
        sqlite3_close_v2(db_);
        db_ = nullptr;
        throw StoreUnavailable(fmt::format("cannot open database {}: {}", path, message));
    }
    sqlite3_extended_result_codes(db_, 1);
    sqlite3_busy_timeout(db_, static_cast<int>(busy_timeout.count()));
    if (sqlite3_db_readonly(db_, "main") == 1) {
        sqlite3_close_v2(db_);
        db_ = nullptr;
        throw StoreUnavailable(fmt::format("database {} is not writable", path));
    }
}

Connection::~Connection() {
    sqlite3_close_v2(db_);
}

void Connection::fail(int code, std::string_view what) const {
    std::string message =
        fmt::format("{} ({}): {}", what, path_, db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(code));
    switch (code & 0xff) {
        case SQLITE_NOTADB:
            throw StoreCorrupt(fmt::format("{} is not a SQLite database", path_));
        case SQLITE_CORRUPT:
            throw StoreCorrupt(message);
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
        case SQLITE_FULL:
        case SQLITE_IOERR:
        case SQLITE_CANTOPEN:
        case SQLITE_READONLY:
        case SQLITE_NOMEM:
        case SQLITE_PERM:
        case SQLITE_PROTOCOL:
            throw StoreUnavailable(message);
        default:
            throw std::runtime_error(message);
    }
}

void Connection::execute(const char* sql) {
    int status = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
    if (status != SQLITE_OK) {
        fail(status, "cannot execute statement");
    }
}

std::string Connection::switch_to_wal() {
    // Two processes creating one new store both switch it to WAL. While the
    // first writes the file in its initial rollback mode, SQLite answers the
    // second SQLITE_BUSY at once, without the busy handler, so the wait the
    // busy timeout promises is done here.
    auto deadline = std::chrono::steady_clock::now() + busy_timeout_;
    for (;;) {
        std::string mode;
        auto keep_mode = [](void* out, int, char** values, char**) {
            *static_cast<std::string*>(out) = values[0] ? values[0] : "";
            return 0;
        };
        int status = sqlite3_exec(db_, "PRAGMA journal_mode = WAL", keep_mode, &mode, nullptr);
        if (status == SQLITE_OK) {
            return mode;
        }
        if ((status & 0xff) != SQLITE_BUSY || std::chrono::steady_clock::now() >= deadline) {
            fail(status, "cannot switch to WAL mode");
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

Statement Connection::prepare(std::string_view sql) {
    sqlite3_stmt* statement = nullptr;
    int status =
        sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &statement, nullptr);
    if (status != SQLITE_OK) {
        fail(status, "cannot prepare statement");
    }
    return Statement(*this, statement);
}

std::int64_t Connection::changes() const {
    return sqlite3_changes64(db_);
}
std::int64_t Connection::last_insert_rowid() const {
    return sqlite3_last_insert_rowid(db_);
}

Statement::Statement(const Connection& connection, sqlite3_stmt* statement)
    : connection_(&connection), statement_(statement) {}

Statement::~Statement() {
    sqlite3_finalize(statement_);
}

Statement::Statement(Statement&& other) noexcept
    : connection_(other.connection_), statement_(other.statement_) {
    other.statement_ = nullptr;
}

Statement& Statement::bind(int index, std::string_view text) {
    int status = sqlite3_bind_text(statement_, index, text.data(), static_cast<int>(text.size()),
                                   SQLITE_TRANSIENT);
    if (status != SQLITE_OK) {
        connection_->fail(status, "cannot bind parameter");
    }
    return *this;
}

Statement& Statement::bind(int index, std::int64_t value) {
    int status = sqlite3_bind_int64(statement_, index, value);
    if (status != SQLITE_OK) {
        connection_->fail(status, "cannot bind parameter");
    }
    return *this;
}

Statement& Statement::bind(int index, std::optional<std::int64_t> value) {
    return value ? bind(index, *value) : bind_null(index);
}

Statement& Statement::bind_null(int index) {
    int status = sqlite3_bind_null(statement_, index);
    if (status != SQLITE_OK) {
        connection_->fail(status, "cannot bind parameter");
    }
    return *this;
}

bool Statement::step() {
    int status = sqlite3_step(statement_);
    if (status == SQLITE_ROW) {
        return true;
    }
    if (status == SQLITE_DONE) {
        return false;
    }
    sqlite3_reset(statement_);
    // The statement's text names which step failed; bound values stay out of it.
    connection_->fail(status, fmt::format("statement failed: {}", sqlite3_sql(statement_)));
}

void Statement::run() {
    while (step()) {
    }
    sqlite3_reset(statement_);
}

void Statement::reset() {
    sqlite3_reset(statement_);
    sqlite3_clear_bindings(statement_);
}

std::string Statement::text(int column) const {
    const auto* data = sqlite3_column_text(statement_, column);
    int size = sqlite3_column_bytes(statement_, column);
    return data ? std::string(reinterpret_cast<const char*>(data), static_cast<std::size_t>(size))
                : std::string();
}

void Statement::text_into(int column, std::string& out) const {
    const auto* data = sqlite3_column_text(statement_, column);
    int size = sqlite3_column_bytes(statement_, column);
    out.assign(data ? reinterpret_cast<const char*>(data) : "", static_cast<std::size_t>(size));
}

bool Statement::text_equals(int column, std::string_view expected) const {
    const auto* data = sqlite3_column_text(statement_, column);
    int size = sqlite3_column_bytes(statement_, column);
    return data && std::string_view(reinterpret_cast<const char*>(data),
                                    static_cast<std::size_t>(size)) == expected;
}

std::int64_t Statement::integer(int column) const {
    return sqlite3_column_int64(statement_, column);
}

std::optional<std::int64_t> Statement::optional_integer(int column) const {
    if (is_null(column)) {
        return std::nullopt;
    }
    return integer(column);
}

bool Statement::is_null(int column) const {
    return sqlite3_column_type(statement_, column) == SQLITE_NULL;
}

WriteTransaction::WriteTransaction(Connection& connection) : connection_(connection) {
    connection_.execute("BEGIN IMMEDIATE");
}

WriteTransaction::~WriteTransaction() {
    if (open_) {
        try {
            connection_.execute("ROLLBACK");
        } catch (...) {
            // The failed statement may already have rolled back; nothing to keep.
        }
    }
}

void WriteTransaction::commit() {
    connection_.execute("COMMIT");
    open_ = false;
}

ReadTransaction::ReadTransaction(Connection& connection) : connection_(connection) {
    connection_.execute("BEGIN");
}

ReadTransaction::~ReadTransaction() {
    try {
        connection_.execute("COMMIT");
    } catch (...) {
        // A read-only transaction has nothing to lose.
    }
}

}  // namespace fbl::store::sqlite
