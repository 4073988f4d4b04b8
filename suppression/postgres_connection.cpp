#include "suppression/postgres_connection.h"

#include <algorithm>

#include <fmt/format.h>
#include <poll.h>

#include "suppression/store.h"

namespace fbl::suppression::postgres {

std::int64_t Result::integer(int row, int column) const {
    return std::stoll(text(row, column));
}

int Result::affected() const {
    const char* count = PQcmdTuples(result_.get());
    return count && *count ? std::stoi(count) : 0;
}

Connection::Connection(config::PostgresSettings settings) : settings_(std::move(settings)) {}

Connection::~Connection() {
    drop();
}

void Connection::drop() {
    if (connection_) {
        PQfinish(connection_);
        connection_ = nullptr;
    }
}

void Connection::connect() {
    auto now = std::chrono::steady_clock::now();
    if (now < next_attempt_) {
        throw StoreUnavailable("postgres: not reachable (retrying shortly)");
    }
    std::string timeout = std::to_string(std::max<long>(1, settings_.connect_timeout.count()));
    std::vector<const char*> keys{"dbname", "connect_timeout", "application_name"};
    std::vector<const char*> values{settings_.conninfo.c_str(), timeout.c_str(), "fblmilter"};
    if (!settings_.password.empty()) {
        keys.push_back("password");
        values.push_back(settings_.password.reveal().c_str());
    }
    keys.push_back(nullptr);
    values.push_back(nullptr);
    connection_ = PQconnectdbParams(keys.data(), values.data(), 1);
    if (PQstatus(connection_) != CONNECTION_OK) {
        // libpq's message names host and user, never the password.
        std::string message = PQerrorMessage(connection_);
        drop();
        backoff_ = std::min<std::chrono::milliseconds>(
            std::chrono::seconds(5),
            std::max<std::chrono::milliseconds>(std::chrono::milliseconds(100), backoff_ * 2));
        next_attempt_ = now + backoff_;
        throw StoreUnavailable(fmt::format("postgres: cannot connect: {}", message));
    }
    backoff_ = std::chrono::milliseconds(0);
    exec(fmt::format(
        "SET statement_timeout = {}",
        std::chrono::duration_cast<std::chrono::milliseconds>(settings_.statement_timeout)
            .count()));
    exec("SET client_min_messages = warning");
}

Result Connection::exec(const std::string& sql, const Params& params) {
    if (!connection_) {
        connect();
    }
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const auto& value : params) {
        values.push_back(value ? value->c_str() : nullptr);
    }
    // Without parameters: the simple protocol, which also runs a script of
    // several statements (migrations).
    PGresult* raw = params.empty()
                        ? PQexec(connection_, sql.c_str())
                        : PQexecParams(connection_, sql.c_str(), static_cast<int>(values.size()),
                                       nullptr, values.data(), nullptr, nullptr, 0);
    Result result(raw);
    auto status = PQresultStatus(raw);
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
        return result;
    }
    std::string message = raw ? PQresultErrorMessage(raw) : PQerrorMessage(connection_);
    if (PQstatus(connection_) != CONNECTION_OK) {
        drop();  // reconnect on the next call
    }
    throw StoreUnavailable(fmt::format("postgres: {}", message));
}

bool Connection::wait_for_notification(std::chrono::milliseconds timeout) {
    if (!connection_) {
        connect();
    }
    auto consume = [this] {
        if (PQconsumeInput(connection_) == 0 || PQstatus(connection_) != CONNECTION_OK) {
            std::string message = PQerrorMessage(connection_);
            drop();
            throw StoreUnavailable(fmt::format("postgres: {}", message));
        }
        bool any = false;
        while (PGnotify* notification = PQnotifies(connection_)) {
            PQfreemem(notification);
            any = true;
        }
        return any;
    };
    if (consume()) {
        return true;
    }
    pollfd descriptor{PQsocket(connection_), POLLIN, 0};
    if (poll(&descriptor, 1, static_cast<int>(timeout.count())) <= 0) {
        return false;
    }
    return consume();
}

CopyIn::CopyIn(Connection& connection, const std::string& sql) : connection_(connection) {
    if (!connection_.connection_) {
        connection_.connect();
    }
    PGresult* result = PQexec(connection_.connection_, sql.c_str());
    bool copying = PQresultStatus(result) == PGRES_COPY_IN;
    PQclear(result);
    if (!copying) {
        open_ = false;
        std::string message = PQerrorMessage(connection_.connection_);
        if (PQstatus(connection_.connection_) != CONNECTION_OK) {
            connection_.drop();
        }
        throw StoreUnavailable(fmt::format("postgres: {}", message));
    }
}

CopyIn::~CopyIn() {
    if (open_) {
        try {
            end("abandoned");
        } catch (...) {
            // The transaction fails and rolls back either way.
        }
    }
}

void CopyIn::row(const std::vector<std::optional<std::string>>& values) {
    bool first = true;
    for (const auto& value : values) {
        if (!first) {
            buffer_ += '\t';
        }
        first = false;
        if (!value) {
            buffer_ += "\\N";
            continue;
        }
        for (char c : *value) {
            switch (c) {
                case '\\':
                    buffer_ += "\\\\";
                    break;
                case '\t':
                    buffer_ += "\\t";
                    break;
                case '\n':
                    buffer_ += "\\n";
                    break;
                case '\r':
                    buffer_ += "\\r";
                    break;
                default:
                    buffer_ += c;
            }
        }
    }
    buffer_ += '\n';
    if (buffer_.size() >= 256 * 1024) {
        flush();
    }
}

void CopyIn::flush() {
    if (!buffer_.empty() && PQputCopyData(connection_.connection_, buffer_.data(),
                                          static_cast<int>(buffer_.size())) != 1) {
        throw StoreUnavailable(
            fmt::format("postgres: {}", PQerrorMessage(connection_.connection_)));
    }
    buffer_.clear();
}

void CopyIn::finish() {
    flush();
    end(nullptr);
}

void CopyIn::end(const char* error) {
    open_ = false;
    PGconn* raw = connection_.connection_;
    if (PQputCopyEnd(raw, error) != 1) {
        throw StoreUnavailable(fmt::format("postgres: {}", PQerrorMessage(raw)));
    }
    std::string message;
    while (PGresult* result = PQgetResult(raw)) {
        if (PQresultStatus(result) != PGRES_COMMAND_OK && message.empty()) {
            message = PQresultErrorMessage(result);
        }
        PQclear(result);
    }
    if (PQstatus(raw) != CONNECTION_OK) {
        connection_.drop();
    }
    if (!message.empty() && !error) {
        throw StoreUnavailable(fmt::format("postgres: {}", message));
    }
}

Transaction::~Transaction() {
    if (!done_) {
        try {
            connection_.execute("ROLLBACK");
        } catch (...) {
            // The connection is gone; the server rolls back on its own.
        }
    }
}

}  // namespace fbl::suppression::postgres
