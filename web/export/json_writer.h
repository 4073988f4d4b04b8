#pragma once

#include <string>
#include <vector>

#include "web/export/buffered_sink.h"
#include "web/export/table_writer.h"

namespace fbl::web::exporting {

// A JSON array with one object per row, keys the column names:
//   [
//   {"date":"2026-12-02T14:03:55Z","recipient":"a@example.org","trusted":true},
//   ...
//   ]
// written row by row: the array is never built. nlohmann::json escapes each
// text value and replaces invalid UTF-8 with U+FFFD instead of throwing, so
// a stranger's subject can neither break the file nor the export. Empty
// cells are null.
class JsonWriter final : public TableWriter {
  public:
    explicit JsonWriter(ByteSink sink);

    void begin(const std::vector<Column>& columns) override;
    void row(const std::vector<Cell>& cells) override;
    void end() override;

  private:
    void write_cell(const Cell& cell);

    BufferedSink out_;
    // `"name":` for each column, escaped once.
    std::vector<std::string> keys_;
    bool first_row_ = true;
    std::string scratch_;
};

}  // namespace fbl::web::exporting
