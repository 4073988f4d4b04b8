#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "web/export/private_temp_file.h"
#include "web/export/table_writer.h"

struct lxw_workbook;
struct lxw_worksheet;
struct lxw_format;

namespace fbl::web::exporting {

struct XlsxLayout {
    std::string sheet_name = "Export";
    // Excel's 1,048,576 rows, less the header. A longer export goes on in a
    // second sheet ("Export 2", same header), and so on: the file holds the
    // whole selection rather than failing after the first million.
    std::uint32_t rows_per_sheet = 1048575;
};

// An Excel workbook by libxlsxwriter in constant_memory mode (each row goes
// to disk as soon as the next starts), assembled in a PrivateTempFile and
// sent to the sink in chunks by end(): a zip's directory comes last, so
// nothing can be sent before then, and the temporary file, not memory,
// holds the export meanwhile. The header row is bold and frozen; times are
// date cells in UTC; text is always a string cell (never a formula), made
// safe by excel_text().
class XlsxWriter final : public TableWriter {
  public:
    explicit XlsxWriter(ByteSink sink, XlsxLayout layout = {});
    ~XlsxWriter() override;

    void begin(const std::vector<Column>& columns) override;
    void row(const std::vector<Cell>& cells) override;
    void end() override;

  private:
    struct WorkbookCloser {
        void operator()(lxw_workbook* workbook) const;
    };

    void start_sheet();
    void write_cell(std::uint16_t column, const Cell& cell);

    ByteSink sink_;
    XlsxLayout layout_;
    PrivateTempFile file_;
    std::unique_ptr<lxw_workbook, WorkbookCloser> workbook_;
    lxw_worksheet* sheet_ = nullptr;
    lxw_format* header_format_ = nullptr;
    lxw_format* date_format_ = nullptr;
    std::vector<Column> columns_;
    int sheets_ = 0;
    std::uint32_t next_row_ = 0;
    std::string tmpdir_;
};

}  // namespace fbl::web::exporting
