#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <sqlite3.h>

// A thin RAII layer over the SQLite C API that turns result codes into the
// store's exceptions (StoreUnavailable / StoreCorrupt). Not thread safe: the
// store guards each connection with a mutex.
namespace fbl::store::sqlite {

class Statement;

class Connection {
  public:
    // Opens (creating when absent) the database file read-write.
    Connection(const std::string& path, std::chrono::milliseconds busy_timeout);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    void execute(const char* sql);
    // Sets journal_mode = WAL, waiting up to the busy timeout for the lock;
    // returns the mode SQLite reports.
    std::string switch_to_wal();
    Statement prepare(std::string_view sql);
    std::int64_t changes() const;
    std::int64_t last_insert_rowid() const;
    const std::string& path() const { return path_; }

    // Throws the exception that fits `code`, naming `what` and the file.
    [[noreturn]] void fail(int code, std::string_view what) const;

  private:
    sqlite3* db_ = nullptr;
    std::string path_;
    std::chrono::milliseconds busy_timeout_;
};

// A prepared statement; bind() is 1-based like SQLite's.
class Statement {
  public:
    Statement(const Connection& connection, sqlite3_stmt* statement);
    ~Statement();
    Statement(Statement&& other) noexcept;
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    Statement& operator=(Statement&&) = delete;

    Statement& bind(int index, std::string_view text);
    Statement& bind(int index, std::int64_t value);
    Statement& bind(int index, std::optional<std::int64_t> value);
    Statement& bind_null(int index);

    // True while a row is available.
    bool step();
    // Runs a statement that returns no rows.
    void run();
    void reset();

    std::string text(int column) const;
    void text_into(int column, std::string& out) const;
    bool text_equals(int column, std::string_view expected) const;
    std::int64_t integer(int column) const;
    std::optional<std::int64_t> optional_integer(int column) const;
    bool is_null(int column) const;

  private:
    const Connection* connection_;
    sqlite3_stmt* statement_;
};

// BEGIN IMMEDIATE ... COMMIT, rolled back when destroyed uncommitted.
// IMMEDIATE takes the write lock up front, so two writers queue on the busy
// timeout instead of failing on a read-to-write upgrade.
class WriteTransaction {
  public:
    explicit WriteTransaction(Connection& connection);
    ~WriteTransaction();
    WriteTransaction(const WriteTransaction&) = delete;
    WriteTransaction& operator=(const WriteTransaction&) = delete;
    void commit();

  private:
    Connection& connection_;
    bool open_ = true;
};

// A consistent snapshot for several reads.
class ReadTransaction {
  public:
    explicit ReadTransaction(Connection& connection);
    ~ReadTransaction();
    ReadTransaction(const ReadTransaction&) = delete;
    ReadTransaction& operator=(const ReadTransaction&) = delete;

  private:
    Connection& connection_;
};

}  // namespace fbl::store::sqlite
