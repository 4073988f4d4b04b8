#include "web/export/csv_writer.h"

#include <utility>

#include "web/export/cell_text.h"
#include "web/export/row_width.h"

namespace fbl::web::exporting {
namespace {

constexpr std::string_view kUtf8ByteOrderMark = "\xEF\xBB\xBF";
constexpr std::string_view kLineEnd = "\r\n";

// What a spreadsheet takes as the start of a formula (OWASP's list).
bool starts_like_a_formula(std::string_view text) {
    return !text.empty() &&
           std::string_view("=+-@\t\r").find(text.front()) != std::string_view::npos;
}

bool needs_quotes(std::string_view text) {
    return text.find_first_of("\",\r\n") != std::string_view::npos;
}

}  // namespace

CsvWriter::CsvWriter(ByteSink sink) : out_(std::move(sink)) {}

void CsvWriter::begin(const std::vector<Column>& columns) {
    width_ = columns.size();
    out_.append(kUtf8ByteOrderMark);
    for (std::size_t i = 0; i < columns.size(); ++i) {
        if (i > 0) {
            out_.append(',');
        }
        write_text(columns[i].name);
    }
    out_.append(kLineEnd);
}

void CsvWriter::row(const std::vector<Cell>& cells) {
    check_row_width(cells, width_);
    for (std::size_t i = 0; i < cells.size(); ++i) {
        if (i > 0) {
            out_.append(',');
        }
        write_cell(cells[i]);
    }
    out_.append(kLineEnd);
}

void CsvWriter::end() {
    out_.flush();
}

void CsvWriter::write_text(std::string_view raw) {
    auto text = valid_utf8(raw, repaired_);
    bool quoted = needs_quotes(text);
    if (quoted) {
        out_.append('"');
    }
    if (starts_like_a_formula(text)) {
        out_.append('\'');
    }
    if (!quoted) {
        out_.append(text);
        return;
    }
    for (std::size_t quote; (quote = text.find('"')) != std::string_view::npos;) {
        out_.append(text.substr(0, quote + 1));
        out_.append('"');
        text.remove_prefix(quote + 1);
    }
    out_.append(text);
    out_.append('"');
}

void CsvWriter::write_cell(const Cell& cell) {
    struct Visitor {
        CsvWriter& self;
        void operator()(std::monostate) const {}
        void operator()(const std::string& text) const { self.write_text(text); }
        void operator()(std::int64_t value) const {
            self.scratch_.clear();
            append_integer(self.scratch_, value);
            self.out_.append(self.scratch_);
        }
        void operator()(TimePoint time) const {
            self.scratch_.clear();
            append_iso_8601(self.scratch_, time);
            self.out_.append(self.scratch_);
        }
        void operator()(bool value) const { self.out_.append(boolean_text(value)); }
    };
    std::visit(Visitor{*this}, cell);
}

}  // namespace fbl::web::exporting
