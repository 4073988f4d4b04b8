#pragma once

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "web/export/table_writer.h"

// What the export tests share: a sink that keeps what it got, a table
// written in one call, the hostile strings strangers' mail can hold, and
// the independent reader (tests/web/read_export.py) run on a written file.
namespace fbl::web::exporting::testing {

struct Received {
    std::string bytes;
    std::size_t calls = 0;
};

inline ByteSink keep_in(Received& received) {
    return [&received](std::string_view chunk) {
        EXPECT_FALSE(chunk.empty());
        received.bytes.append(chunk);
        ++received.calls;
    };
}

inline std::string write_table(TableWriter& writer, const std::vector<Column>& columns,
                               const std::vector<std::vector<Cell>>& rows, Received& received) {
    writer.begin(columns);
    for (const auto& row : rows) {
        writer.row(row);
    }
    writer.end();
    return received.bytes;
}

inline std::string export_table(ExportFormat format, const std::vector<Column>& columns,
                                const std::vector<std::vector<Cell>>& rows) {
    Received received;
    auto writer = make_writer(format, keep_in(received));
    return write_table(*writer, columns, rows, received);
}

inline TimePoint utc(int year, unsigned month, unsigned day, int hours, int minutes, int seconds) {
    using namespace std::chrono;
    return sys_days{std::chrono::year{year} / month / day} + std::chrono::hours{hours} +
           std::chrono::minutes{minutes} + std::chrono::seconds{seconds};
}

// Each of these must come out of every writer as a valid file.
inline std::vector<std::string> hostile_texts() {
    return {
        "<script>alert(1)</script>",
        std::string("nul\0inside", 10),
        "bell\a escape\x1b[2J del\x7f c1\xc2\x9b",
        "line\r\nbreaks\nand\rcarriage",
        "invalid \xff\xfe utf-8 \xc3",
        "quote \" comma , semicolon ;",
        "=HYPERLINK(\"http://evil.example\",\"x\")",
        "\xef\xbf\xbf noncharacter",
        std::string(10 * 1024, 'x') + "\n" + std::string(10 * 1024, 'y'),
    };
}

inline void write_file(const std::string& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary) << bytes;
}

// The file read back by Python's csv module ("csv") or openpyxl ("xlsx").
inline nlohmann::json read_back(const std::string& kind, const std::string& path) {
    std::string command =
        "/usr/bin/python3 " FBL_SOURCE_DIR "/tests/web/read_export.py " + kind + " '" + path + "'";
    FILE* pipe = popen(command.c_str(), "r");
    if (pipe == nullptr) {
        ADD_FAILURE() << "cannot run " << command;
        return {};
    }
    std::string output;
    char buffer[65536];
    for (std::size_t got; (got = fread(buffer, 1, sizeof buffer, pipe)) > 0;) {
        output.append(buffer, got);
    }
    int status = pclose(pipe);
    EXPECT_EQ(status, 0) << command << " failed";
    return nlohmann::json::parse(output);
}

}  // namespace fbl::web::exporting::testing
