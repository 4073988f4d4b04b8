#pragma once

#include <string>

#include "web/export/buffered_sink.h"
#include "web/export/table_writer.h"

namespace fbl::web::exporting {

// RFC 4180 CSV: CRLF line ends, a field quoted when it holds '"', ',', CR
// or LF, a '"' inside doubled. The file starts with a UTF-8 byte order
// mark: without it Excel reads a CSV in the machine's ANSI code page and an
// "ø" in a subject arrives as "Ã¸"; with it Excel, LibreOffice and Python's
// utf-8-sig all read UTF-8. Spreadsheet-safe (OWASP "CSV injection"): a
// text cell starting with '=', '+', '-', '@', tab or CR gets a leading "'",
// so a subject "=HYPERLINK(...)" shows as text instead of running as a
// formula. Invalid UTF-8 becomes U+FFFD; every other byte is kept.
class CsvWriter final : public TableWriter {
  public:
    explicit CsvWriter(ByteSink sink);

    void begin(const std::vector<Column>& columns) override;
    void row(const std::vector<Cell>& cells) override;
    void end() override;

  private:
    void write_text(std::string_view text);
    void write_cell(const Cell& cell);

    BufferedSink out_;
    std::size_t width_ = 0;
    std::string scratch_;
    std::string repaired_;
};

}  // namespace fbl::web::exporting
