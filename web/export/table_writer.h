#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "web/export/export_format.h"

// The export writers (issue 17: Actions -> Export): a table of rows in, the
// bytes of a CSV, XLSX or JSON file out, streamed to a sink as they are
// made, so an export of a million complaints never sits in memory. They know
// nothing of the store or of HTTP: the console's handler reads the selection
// row by row and hands each to the writer; the sink is the chunked response.
namespace fbl::web::exporting {

// Where the bytes go. Called with chunks of any size (never empty); may
// throw (a client that went away), which leaves the writer unusable.
using ByteSink = std::function<void(std::string_view)>;

using TimePoint = std::chrono::system_clock::time_point;

struct Column {
    enum class Kind { text, integer, timestamp, boolean };
    std::string name;
    Kind kind = Kind::text;
};

// One value: empty, text (any bytes: strangers' addresses and subjects), an
// integer, a time (UTC: ISO 8601 in CSV and JSON, a date cell in XLSX) or a
// flag. C++20's variant refuses a string literal as bool, so Cell{"a@b"}
// is text and Cell{std::int64_t{5}} an integer.
using Cell = std::variant<std::monostate, std::string, std::int64_t, TimePoint, bool>;

// One per export: begin, rows, end. Each row has exactly one cell per
// column (std::invalid_argument otherwise). Nothing is complete before
// end(); a writer destroyed without end() (an error while reading the
// selection) leaves nothing behind but the bytes already sent.
class TableWriter {
  public:
    virtual ~TableWriter() = default;
    virtual void begin(const std::vector<Column>& columns) = 0;
    virtual void row(const std::vector<Cell>& cells) = 0;
    // Flushes everything to the sink.
    virtual void end() = 0;
};

std::unique_ptr<TableWriter> make_writer(ExportFormat format, ByteSink sink);

}  // namespace fbl::web::exporting
