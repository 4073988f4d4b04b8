#include "web/export/json_writer.h"

#include <utility>

#include <nlohmann/json.hpp>

#include "web/export/cell_text.h"
#include "web/export/row_width.h"

namespace fbl::web::exporting {
namespace {

std::string json_string(std::string_view text) {
    return nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

JsonWriter::JsonWriter(ByteSink sink) : out_(std::move(sink)) {}

void JsonWriter::begin(const std::vector<Column>& columns) {
    keys_.clear();
    for (const auto& column : columns) {
        keys_.push_back(json_string(column.name) + ":");
    }
    out_.append('[');
}

void JsonWriter::row(const std::vector<Cell>& cells) {
    check_row_width(cells, keys_.size());
    out_.append(first_row_ ? "\n{" : ",\n{");
    first_row_ = false;
    for (std::size_t i = 0; i < cells.size(); ++i) {
        if (i > 0) {
            out_.append(',');
        }
        out_.append(keys_[i]);
        write_cell(cells[i]);
    }
    out_.append('}');
}

void JsonWriter::end() {
    out_.append(first_row_ ? "]\n" : "\n]\n");
    out_.flush();
}

void JsonWriter::write_cell(const Cell& cell) {
    struct Visitor {
        JsonWriter& self;
        void operator()(std::monostate) const { self.out_.append("null"); }
        void operator()(const std::string& text) const { self.out_.append(json_string(text)); }
        void operator()(std::int64_t value) const {
            self.scratch_.clear();
            append_integer(self.scratch_, value);
            self.out_.append(self.scratch_);
        }
        void operator()(TimePoint time) const {
            // Digits, '-', ':', 'T' and 'Z' need no escaping.
            self.scratch_.assign(1, '"');
            append_iso_8601(self.scratch_, time);
            self.scratch_.push_back('"');
            self.out_.append(self.scratch_);
        }
        void operator()(bool value) const { self.out_.append(boolean_text(value)); }
    };
    std::visit(Visitor{*this}, cell);
}

}  // namespace fbl::web::exporting
