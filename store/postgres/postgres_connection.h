#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <libpq-fe.h>

#include "config/config.h"

// A thin libpq wrapper: parameters as text, results by row and column, and
// every failure to reach or use the server turned into StoreUnavailable.
namespace fbl::store::postgres {

using Params = std::vector<std::optional<std::string>>;

class Result {
  public:
    explicit Result(PGresult* result) : result_(result, &PQclear) {}
    int rows() const { return PQntuples(result_.get()); }
    bool is_null(int row, int column) const { return PQgetisnull(result_.get(), row, column); }
    std::string text(int row, int column) const {
        return std::string(PQgetvalue(result_.get(), row, column),
                           static_cast<std::size_t>(PQgetlength(result_.get(), row, column)));
    }
    std::int64_t integer(int row, int column) const;
    std::optional<std::int64_t> optional_integer(int row, int column) const {
        return is_null(row, column) ? std::nullopt : std::optional(integer(row, column));
    }
    int affected() const;

  private:
    std::unique_ptr<PGresult, decltype(&PQclear)> result_;
};

// One server session. Connects lazily; after a failure waits an increasing
// pause (up to 5 s) before trying again, so a down database costs callers
// an immediate StoreUnavailable instead of a connect timeout each.
class Connection {
  public:
    explicit Connection(config::PostgresSettings settings);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    Result exec(const std::string& sql, const Params& params = {});
    void execute(const std::string& sql) { exec(sql); }
    // The value libpq uses for one connection option ("keepalives", ...).
    std::string option(const char* keyword);
    // Waits up to `timeout` for a notification on a LISTENing session;
    // true when at least one arrived (all pending ones are consumed).
    bool wait_for_notification(std::chrono::milliseconds timeout);
    bool connected() const { return connection_ != nullptr; }
    // Runs `COPY (...) TO STDOUT (FORMAT binary)` and hands each row's
    // fields (nullopt = NULL, binary encodings) to `visit`: one statement
    // streams millions of rows with no round trip per batch.
    using Fields = std::vector<std::optional<std::string_view>>;
    void copy_out_binary(const std::string& sql, const std::function<void(const Fields&)>& visit);

  private:
    friend class CopyIn;
    void connect();
    void drop();

    config::PostgresSettings settings_;
    PGconn* connection_ = nullptr;
    std::chrono::steady_clock::time_point next_attempt_{};
    std::chrono::milliseconds backoff_{0};
};

// COPY ... FROM STDIN in text format: bulk rows without a round trip each.
// Destroyed unfinished, it aborts the COPY (the transaction then fails).
class CopyIn {
  public:
    CopyIn(Connection& connection, const std::string& sql);
    ~CopyIn();
    CopyIn(const CopyIn&) = delete;
    CopyIn& operator=(const CopyIn&) = delete;

    void row(const std::vector<std::optional<std::string>>& values);
    // Sends what is buffered and ends the COPY; throws when the server
    // refused a row.
    void finish();

  private:
    void flush();
    void end(const char* error);

    Connection& connection_;
    std::string buffer_;
    bool open_ = true;
};

// BEGIN now; ROLLBACK unless commit() was called.
class Transaction {
  public:
    explicit Transaction(Connection& connection) : connection_(connection) {
        connection_.execute("BEGIN");
    }
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    void commit() {
        connection_.execute("COMMIT");
        done_ = true;
    }

  private:
    Connection& connection_;
    bool done_ = false;
};

inline std::optional<std::string> param(std::int64_t value) {
    return std::to_string(value);
}
inline std::optional<std::string> param(const std::optional<std::int64_t>& value) {
    return value ? std::optional(std::to_string(*value)) : std::nullopt;
}
inline std::optional<std::string> param(std::string value) {
    return value;
}

}  // namespace fbl::store::postgres
