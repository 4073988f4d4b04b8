#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

// Rows of records rendered the way fblctl promises to scripts:
//  - table: aligned columns under a header, for people;
//  - csv:   RFC 4180 (header row, comma, CRLF, quotes doubled), UTF-8; a text
//           cell a spreadsheet would run as a formula (=, +, -, @, tab, CR
//           first) gets a leading ' as OWASP advises;
//  - json:  ONE document (nlohmann-json), an array of objects.
namespace fbl::cli {

enum class Format { table, csv, json };

// The output cannot be written (fblctl exits with kExitCantCreate).
class OutputError : public std::runtime_error {
    using std::runtime_error::runtime_error;
};

std::optional<Format> parse_format(std::string_view text);

// A record: a value per column, in column order.
using Row = std::vector<nlohmann::ordered_json>;
// Called after each row is written (fblctl export's progress); may be empty.
using RowWritten = std::function<void()>;

struct Records {
    std::vector<std::string> columns;
    std::vector<Row> rows;

    nlohmann::ordered_json to_json(const RowWritten& on_row = {}) const;
};

// One RFC 4180 field, quoted when it holds a comma, quote, CR or LF.
std::string csv_field(std::string_view text);
// A text cell made safe to open in a spreadsheet: "'=1+1" for "=1+1".
std::string csv_cell(std::string_view text);
// Text for a terminal: control characters (C0, DEL, C1) shown as escapes
// (\n, \t, \x1b, \u009b), so data from a report cannot move the cursor,
// rewrite earlier lines or hide itself. Newlines stay when keep_newlines.
std::string printable(std::string_view text, bool keep_newlines = false);

void write_table(std::ostream& out, const Records& records);
void write_csv(std::ostream& out, const Records& records, const RowWritten& on_row = {});
void write_records(std::ostream& out, Format format, const Records& records,
                   const RowWritten& on_row = {});

// Writes through a temporary file renamed into place on success, so a
// failed export never leaves a half-written FILE. "-" or "" = stdout.
class OutputFile {
  public:
    explicit OutputFile(std::string path);
    ~OutputFile();
    OutputFile(const OutputFile&) = delete;
    OutputFile& operator=(const OutputFile&) = delete;

    std::ostream& stream();
    // Flushes and renames into place; throws OutputError on failure.
    void commit();

  private:
    std::string path_;
    std::string temporary_;
    std::unique_ptr<std::ostream> file_;
    bool committed_ = false;
};

}  // namespace fbl::cli
