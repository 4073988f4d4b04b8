#include "cli/csv_reader.h"

namespace fbl::cli {
namespace {

constexpr int kEnd = -1;

}  // namespace

CsvReader::CsvReader(std::istream& in) : position_(in), end_() {}

int CsvReader::peek() {
    return position_ == end_ ? kEnd : static_cast<unsigned char>(*position_);
}

int CsvReader::take() {
    int c = peek();
    if (c != kEnd) {
        ++position_;
        if (c == '\n') {
            ++current_line_;
        }
    }
    return c;
}

bool CsvReader::next(std::vector<std::string>& fields, std::string& error) {
    fields.clear();
    error.clear();
    if (!started_) {
        started_ = true;
        if (peek() == 0xef) {  // UTF-8 byte order mark
            take();
            if (take() != 0xbb || take() != 0xbf) {
                error = "the file starts with a broken byte order mark";
                return false;
            }
        }
    }
    if (peek() == kEnd) {
        return false;
    }
    record_line_ = current_line_;
    std::string field;
    for (;;) {
        int c = take();
        if (c == '"' && field.empty()) {
            for (;;) {
                int inner = take();
                if (inner == kEnd) {
                    error = "a quoted field is not closed";
                    return false;
                }
                if (inner == '"') {
                    if (peek() == '"') {
                        take();
                        field += '"';
                        continue;
                    }
                    break;
                }
                field += static_cast<char>(inner);
            }
            int after = peek();
            if (after != ',' && after != '\r' && after != '\n' && after != kEnd) {
                error = "text after a closing quote";
                return false;
            }
            continue;
        }
        if (c == '"') {
            error = "a quote inside an unquoted field";
            return false;
        }
        if (c == ',') {
            fields.push_back(std::move(field));
            field.clear();
            continue;
        }
        if (c == '\r' && peek() == '\n') {
            continue;
        }
        if (c == '\n' || c == kEnd) {
            fields.push_back(std::move(field));
            return true;
        }
        field += static_cast<char>(c);
    }
}

}  // namespace fbl::cli
