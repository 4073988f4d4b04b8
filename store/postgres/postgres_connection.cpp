#include "store/postgres/postgres_connection.h"

#include <algorithm>
#include <exception>
#include <memory>
#include <string_view>

#include <fmt/format.h>
#include <poll.h>

#include "store/store.h"

namespace fbl::store::postgres {

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
    // Client-side network timeouts (issue 14): a database that vanishes
    // without a word (a dead host, a dropped route) is noticed in about 25 s
    // of silence, or 30 s of unacknowledged data, instead of the kernel's two
    // hours, so intake and the follower fail over to their error paths. They
    // come before "dbname": values in the configured conninfo win.
    std::vector<const char*> keys{"keepalives",       "keepalives_idle",  "keepalives_interval",
                                  "keepalives_count", "tcp_user_timeout", "dbname",
                                  "connect_timeout",  "application_name"};
    std::vector<const char*> values{
        "1", "10", "5", "3", "30000", settings_.conninfo.c_str(), timeout.c_str(), "fblmilter"};
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
    // A report is answered 250 only once its complaint is durable: never on
    // a commit that a server configured with synchronous_commit = off (or
    // local) could still lose in a crash or a fail-over.
    exec("SET synchronous_commit = on");
}

std::string Connection::option(const char* keyword) {
    if (!connection_) {
        connect();
    }
    std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)> options(PQconninfo(connection_),
                                                                         &PQconninfoFree);
    for (auto* option = options.get(); option != nullptr && option->keyword != nullptr; ++option) {
        if (std::string_view(option->keyword) == keyword) {
            return option->val != nullptr ? option->val : "";
        }
    }
    return {};
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

namespace {

// Reads the big-endian integers of PostgreSQL's binary COPY format.
class BinaryReader {
  public:
    explicit BinaryReader(std::string_view data) : data_(data) {}
    std::string_view take(std::size_t size) {
        if (data_.size() < size) {
            throw StoreCorrupt("postgres: a truncated binary COPY row");
        }
        auto part = data_.substr(0, size);
        data_.remove_prefix(size);
        return part;
    }
    std::int32_t int32() {
        std::uint32_t value = 0;
        for (unsigned char byte : take(4)) {
            value = (value << 8) | byte;
        }
        return static_cast<std::int32_t>(value);
    }
    std::int16_t int16() {
        auto bytes = take(2);
        return static_cast<std::int16_t>((static_cast<unsigned char>(bytes[0]) << 8) |
                                         static_cast<unsigned char>(bytes[1]));
    }

  private:
    std::string_view data_;
};

constexpr std::string_view kBinaryCopySignature{"PGCOPY\n\377\r\n\0", 11};

}  // namespace

void Connection::copy_out_binary(const std::string& sql,
                                 const std::function<void(const Fields&)>& visit) {
    if (!connection_) {
        connect();
    }
    PGresult* start = PQexec(connection_, sql.c_str());
    bool copying = PQresultStatus(start) == PGRES_COPY_OUT;
    std::string message = copying ? "" : PQresultErrorMessage(start);
    PQclear(start);
    bool header = true;
    Fields fields;
    std::exception_ptr failure;
    while (copying) {
        char* buffer = nullptr;
        int size = PQgetCopyData(connection_, &buffer, 0);
        if (size == -1) {
            break;  // all rows sent
        }
        if (size < 0) {
            message = PQerrorMessage(connection_);
            break;
        }
        try {
            if (!failure) {
                BinaryReader reader(std::string_view(buffer, static_cast<std::size_t>(size)));
                if (header) {  // the first row carries the file header
                    if (reader.take(kBinaryCopySignature.size()) != kBinaryCopySignature) {
                        throw StoreCorrupt("postgres: not a binary COPY stream");
                    }
                    reader.int32();                                         // flags
                    reader.take(static_cast<std::size_t>(reader.int32()));  // extension
                    header = false;
                }
                std::int16_t count = reader.int16();
                if (count >= 0) {  // -1: the trailer
                    fields.clear();
                    for (std::int16_t field = 0; field < count; ++field) {
                        std::int32_t length = reader.int32();
                        fields.push_back(length < 0 ? std::nullopt
                                                    : std::optional(reader.take(
                                                          static_cast<std::size_t>(length))));
                    }
                    visit(fields);
                }
            }
        } catch (...) {
            failure = std::current_exception();  // drain the rest, then rethrow
        }
        PQfreemem(buffer);
    }
    while (PGresult* result = PQgetResult(connection_)) {
        if (PQresultStatus(result) != PGRES_COMMAND_OK && message.empty()) {
            message = PQresultErrorMessage(result);
        }
        PQclear(result);
    }
    if (PQstatus(connection_) != CONNECTION_OK) {
        drop();
    }
    if (failure) {
        std::rethrow_exception(failure);
    }
    if (!message.empty()) {
        throw StoreUnavailable(fmt::format("postgres: {}", message));
    }
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

}  // namespace fbl::store::postgres
