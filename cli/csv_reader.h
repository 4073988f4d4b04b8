#pragma once

#include <cstddef>
#include <istream>
#include <iterator>
#include <string>
#include <vector>

namespace fbl::cli {

// Reads RFC 4180 records: comma separated, fields optionally in double
// quotes (a quote inside doubled; commas and line breaks allowed inside),
// lines ended by CRLF or LF, a UTF-8 byte order mark skipped.
class CsvReader {
  public:
    explicit CsvReader(std::istream& in);

    // Reads the next record into `fields`. Returns false at the end of the
    // input or on a malformed record (then `error` says why). line() is the
    // line the record started on, for messages.
    bool next(std::vector<std::string>& fields, std::string& error);
    std::size_t line() const { return record_line_; }

  private:
    int peek();
    int take();

    std::istreambuf_iterator<char> position_;
    std::istreambuf_iterator<char> end_;
    std::size_t current_line_ = 1;
    std::size_t record_line_ = 0;
    bool started_ = false;
};

}  // namespace fbl::cli
