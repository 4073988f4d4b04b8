#include "web/export/xlsx_writer.h"

#include <stdexcept>
#include <utility>

#include <xlsxwriter.h>

#include "web/export/buffered_sink.h"
#include "web/export/cell_text.h"
#include "web/export/excel_text.h"
#include "web/export/row_width.h"

namespace fbl::web::exporting {
namespace {

// Excel counts days from 1900 with a leap day 1900 never had, so only times
// from 1900-03-01 on are the date they say; earlier ones are written as
// text rather than as the wrong day.
constexpr std::int64_t kFirstTrueExcelDate = -2203891200;
// Excel keeps 15 significant digits; a longer integer is written as text
// rather than rounded.
constexpr std::int64_t kExactExcelInteger = 999'999'999'999'999;

void check(lxw_error error, const char* what) {
    if (error != LXW_NO_ERROR) {
        throw std::runtime_error(std::string("export: XLSX ") + what + ": " + lxw_strerror(error));
    }
}

double column_width(Column::Kind kind) {
    switch (kind) {
        case Column::Kind::timestamp:
            return 20;
        case Column::Kind::integer:
            return 12;
        case Column::Kind::boolean:
            return 8;
        case Column::Kind::text:
            return 32;
    }
    return 16;
}

}  // namespace

void XlsxWriter::WorkbookCloser::operator()(lxw_workbook* workbook) const {
    // Only when the export failed: end() closes (and so frees) the workbook.
    lxw_workbook_free(workbook);
}

XlsxWriter::XlsxWriter(ByteSink sink, XlsxLayout layout)
    : sink_(std::move(sink)),
      layout_(std::move(layout)),
      file_("fblweb-export"),
      tmpdir_(PrivateTempFile::directory()) {
    if (layout_.rows_per_sheet == 0 || layout_.rows_per_sheet >= LXW_ROW_MAX) {
        throw std::invalid_argument(
            "export: XLSX sheets hold 1 to 1,048,575 rows below the header");
    }
}

XlsxWriter::~XlsxWriter() = default;

void XlsxWriter::begin(const std::vector<Column>& columns) {
    if (columns.empty() || columns.size() > LXW_COL_MAX) {
        throw std::invalid_argument("export: XLSX takes 1 to 16,384 columns");
    }
    columns_ = columns;
    lxw_workbook_options options{};
    options.constant_memory = LXW_TRUE;
    // libxlsxwriter's own scratch files (one per sheet, unlinked at once).
    options.tmpdir = tmpdir_.data();
    workbook_.reset(workbook_new_opt(file_.path().c_str(), &options));
    if (!workbook_) {
        throw std::runtime_error("export: XLSX: cannot start a workbook");
    }
    header_format_ = workbook_add_format(workbook_.get());
    format_set_bold(header_format_);
    date_format_ = workbook_add_format(workbook_.get());
    format_set_num_format(date_format_, "yyyy-mm-dd hh:mm:ss");
    start_sheet();
}

void XlsxWriter::start_sheet() {
    ++sheets_;
    auto name =
        sheets_ == 1 ? layout_.sheet_name : layout_.sheet_name + " " + std::to_string(sheets_);
    sheet_ = workbook_add_worksheet(workbook_.get(), name.c_str());
    if (sheet_ == nullptr) {
        throw std::runtime_error("export: XLSX: cannot add sheet " + name);
    }
    for (std::size_t i = 0; i < columns_.size(); ++i) {
        auto column = static_cast<lxw_col_t>(i);
        check(worksheet_set_column(sheet_, column, column, column_width(columns_[i].kind), nullptr),
              "column width");
        check(worksheet_write_string(sheet_, 0, column, excel_text(columns_[i].name).c_str(),
                                     header_format_),
              "header");
    }
    worksheet_freeze_panes(sheet_, 1, 0);
    next_row_ = 1;
}

void XlsxWriter::row(const std::vector<Cell>& cells) {
    check_row_width(cells, columns_.size());
    if (next_row_ > layout_.rows_per_sheet) {
        start_sheet();
    }
    for (std::size_t i = 0; i < cells.size(); ++i) {
        write_cell(static_cast<std::uint16_t>(i), cells[i]);
    }
    ++next_row_;
}

void XlsxWriter::write_cell(std::uint16_t column, const Cell& cell) {
    struct Visitor {
        XlsxWriter& self;
        lxw_row_t row;
        lxw_col_t column;

        lxw_error text(std::string_view value) const {
            // A string cell: Excel never evaluates it, "=cmd|..." included.
            return worksheet_write_string(self.sheet_, row, column, excel_text(value).c_str(),
                                          nullptr);
        }
        lxw_error operator()(std::monostate) const { return LXW_NO_ERROR; }
        lxw_error operator()(const std::string& value) const { return text(value); }
        lxw_error operator()(std::int64_t value) const {
            if (value > kExactExcelInteger || value < -kExactExcelInteger) {
                std::string digits;
                append_integer(digits, value);
                return text(digits);
            }
            return worksheet_write_number(self.sheet_, row, column, static_cast<double>(value),
                                          nullptr);
        }
        lxw_error operator()(TimePoint time) const {
            auto seconds =
                std::chrono::floor<std::chrono::seconds>(time).time_since_epoch().count();
            if (seconds < kFirstTrueExcelDate) {
                return text(iso_8601(time));
            }
            return worksheet_write_unixtime(self.sheet_, row, column, seconds, self.date_format_);
        }
        lxw_error operator()(bool value) const {
            return worksheet_write_boolean(self.sheet_, row, column, value ? 1 : 0, nullptr);
        }
    };
    check(std::visit(Visitor{*this, next_row_, column}, cell), "cell");
}

void XlsxWriter::end() {
    if (!workbook_) {
        throw std::logic_error("export: XLSX end() without begin()");
    }
    check(workbook_close(workbook_.release()), "close");
    file_.unlink();
    file_.send_to(sink_, BufferedSink::kChunkBytes);
}

}  // namespace fbl::web::exporting
