#include "cli/output.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <stdexcept>

#include <fmt/format.h>
#include <unistd.h>

namespace fbl::cli {
namespace {

std::string cell_text(const nlohmann::ordered_json& value) {
    if (value.is_null()) {
        return "";
    }
    if (value.is_string()) {
        return value.get<std::string>();
    }
    if (value.is_boolean()) {
        return value.get<bool>() ? "yes" : "no";
    }
    return value.dump();
}

// Display width in code points (good enough for aligned UTF-8 text).
std::size_t width(std::string_view text) {
    return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xc0) != 0x80;
    }));
}

// A spreadsheet runs a cell that starts like a formula (CSV injection).
bool looks_like_a_formula(std::string_view text) {
    return !text.empty() &&
           std::string_view("=+-@\t\r").find(text.front()) != std::string_view::npos;
}

}  // namespace

std::string printable(std::string_view text, bool keep_newlines) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        auto byte = static_cast<unsigned char>(text[i]);
        if (byte == '\n' && keep_newlines) {
            out += '\n';
        } else if (byte == '\n') {
            out += "\\n";
        } else if (byte == '\r') {
            out += "\\r";
        } else if (byte == '\t') {
            out += "\\t";
        } else if (byte < 0x20 || byte == 0x7f) {
            out += fmt::format("\\x{:02x}", byte);
        } else if (byte == 0xc2 && i + 1 < text.size() &&
                   static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
                   static_cast<unsigned char>(text[i + 1]) <= 0x9f) {
            // U+0080..U+009F: C1 controls (CSI among them) in UTF-8.
            out += fmt::format("\\u{:04x}", static_cast<unsigned char>(text[++i]));
        } else {
            out += static_cast<char>(byte);
        }
    }
    return out;
}

std::string csv_cell(std::string_view text) {
    return looks_like_a_formula(text) ? "'" + std::string(text) : std::string(text);
}

std::optional<Format> parse_format(std::string_view text) {
    if (text == "table") {
        return Format::table;
    }
    if (text == "csv") {
        return Format::csv;
    }
    if (text == "json") {
        return Format::json;
    }
    return std::nullopt;
}

nlohmann::ordered_json Records::to_json(const RowWritten& on_row) const {
    auto array = nlohmann::ordered_json::array();
    for (const auto& row : rows) {
        nlohmann::ordered_json object = nlohmann::ordered_json::object();
        for (std::size_t column = 0; column < columns.size(); ++column) {
            object[columns[column]] = column < row.size() ? row[column] : nullptr;
        }
        array.push_back(std::move(object));
        if (on_row) {
            on_row();
        }
    }
    return array;
}

std::string csv_field(std::string_view text) {
    if (text.find_first_of(",\"\r\n") == std::string_view::npos) {
        return std::string(text);
    }
    std::string quoted = "\"";
    for (char c : text) {
        quoted += c;
        if (c == '"') {
            quoted += '"';
        }
    }
    quoted += '"';
    return quoted;
}

void write_csv(std::ostream& out, const Records& records, const RowWritten& on_row) {
    auto write_line = [&](const std::vector<std::string>& cells) {
        for (std::size_t i = 0; i < cells.size(); ++i) {
            out << (i ? "," : "") << csv_field(cells[i]);
        }
        out << "\r\n";
    };
    write_line(records.columns);
    for (const auto& row : records.rows) {
        std::vector<std::string> cells;
        for (const auto& value : row) {
            cells.push_back(value.is_string() ? csv_cell(cell_text(value)) : cell_text(value));
        }
        write_line(cells);
        if (on_row) {
            on_row();
        }
    }
}

void write_table(std::ostream& out, const Records& records) {
    std::vector<std::vector<std::string>> lines{records.columns};
    for (const auto& row : records.rows) {
        std::vector<std::string> cells;
        for (const auto& value : row) {
            cells.push_back(printable(cell_text(value)));
        }
        lines.push_back(std::move(cells));
    }
    std::vector<std::size_t> widths(records.columns.size(), 0);
    for (const auto& cells : lines) {
        for (std::size_t i = 0; i < cells.size() && i < widths.size(); ++i) {
            widths[i] = std::max(widths[i], width(cells[i]));
        }
    }
    for (const auto& cells : lines) {
        std::string line;
        for (std::size_t i = 0; i < cells.size(); ++i) {
            line += cells[i];
            if (i + 1 < cells.size()) {
                line += std::string(widths[i] - width(cells[i]) + 2, ' ');
            }
        }
        line.erase(line.find_last_not_of(' ') + 1);
        out << line << '\n';
    }
}

void write_records(std::ostream& out, Format format, const Records& records,
                   const RowWritten& on_row) {
    switch (format) {
        case Format::table:
            write_table(out, records);
            break;
        case Format::csv:
            write_csv(out, records, on_row);
            break;
        case Format::json:
            out << records.to_json(on_row).dump(2, ' ', false,
                                                nlohmann::json::error_handler_t::replace)
                << '\n';
            break;
    }
}

OutputFile::OutputFile(std::string path) : path_(std::move(path)) {
    if (path_.empty() || path_ == "-") {
        return;
    }
    temporary_ = path_ + ".tmp-" + std::to_string(getpid());
    auto file = std::make_unique<std::ofstream>(temporary_, std::ios::binary | std::ios::trunc);
    if (!*file) {
        throw OutputError("cannot write " + path_ + ": " + std::strerror(errno));
    }
    file_ = std::move(file);
}

OutputFile::~OutputFile() {
    if (file_ && !committed_) {
        file_.reset();
        std::remove(temporary_.c_str());
    }
}

std::ostream& OutputFile::stream() {
    return file_ ? *file_ : std::cout;
}

void OutputFile::commit() {
    stream().flush();
    if (!stream()) {
        throw OutputError("cannot write " + (file_ ? path_ : std::string("the output")));
    }
    if (file_) {
        file_.reset();
        std::error_code error;
        std::filesystem::rename(temporary_, path_, error);
        if (error) {
            std::remove(temporary_.c_str());
            throw OutputError("cannot write " + path_ + ": " + error.message());
        }
    }
    committed_ = true;
}

}  // namespace fbl::cli
