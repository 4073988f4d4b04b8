#include <gtest/gtest.h>

#include "tests/suppression/temp_dir.h"
#include "tests/web/export_test_support.h"
#include "web/export/buffered_sink.h"
#include "web/export/csv_writer.h"

namespace fbl::web::exporting {
namespace {

using testing::export_table;
using testing::utc;

constexpr std::string_view kBom = "\xEF\xBB\xBF";

std::string csv(const std::vector<std::vector<Cell>>& rows) {
    return export_table(ExportFormat::csv, {{"value", Column::Kind::text}}, rows);
}

// One text cell as its CSV line, without BOM, header and CRLF.
std::string csv_field(std::string text) {
    auto file = csv({{Cell{std::move(text)}}});
    auto start = kBom.size() + std::string_view("value\r\n").size();
    return file.substr(start, file.size() - start - 2);
}

TEST(CsvExport, StartsWithAByteOrderMarkAndEndsLinesWithCrlf) {
    auto file = export_table(ExportFormat::csv,
                             {{"recipient", Column::Kind::text}, {"count", Column::Kind::integer}},
                             {{Cell{"a@example.org"}, Cell{std::int64_t{3}}}});
    EXPECT_EQ(file, std::string(kBom) + "recipient,count\r\na@example.org,3\r\n");
}

TEST(CsvExport, QuotesFieldsWithQuotesCommasAndLineBreaks) {
    EXPECT_EQ(csv_field("plain text"), "plain text");
    EXPECT_EQ(csv_field("a,b"), "\"a,b\"");
    EXPECT_EQ(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    EXPECT_EQ(csv_field("two\nlines"), "\"two\nlines\"");
    EXPECT_EQ(csv_field("cr\rhere"), "\"cr\rhere\"");
    EXPECT_EQ(csv_field("\""), "\"\"\"\"");
}

// OWASP CSV injection: a cell a spreadsheet would run as a formula.
TEST(CsvExport, PrefixesTextThatStartsLikeAFormula) {
    EXPECT_EQ(csv_field("=1+1"), "'=1+1");
    EXPECT_EQ(csv_field("+1"), "'+1");
    EXPECT_EQ(csv_field("-1"), "'-1");
    EXPECT_EQ(csv_field("@SUM(A1)"), "'@SUM(A1)");
    EXPECT_EQ(csv_field("\tx"), "'\tx");
    EXPECT_EQ(csv_field("\rx"), "\"'\rx\"");
    EXPECT_EQ(csv_field("=HYPERLINK(\"http://e.example\",\"x\")"),
              "\"'=HYPERLINK(\"\"http://e.example\"\",\"\"x\"\")\"");
    EXPECT_EQ(csv_field("a=b"), "a=b");
    EXPECT_EQ(csv_field(""), "");
}

TEST(CsvExport, WritesNumbersTimesFlagsAndEmptyCells) {
    auto file = export_table(
        ExportFormat::csv,
        {{"n", Column::Kind::integer},
         {"at", Column::Kind::timestamp},
         {"trusted", Column::Kind::boolean},
         {"note", Column::Kind::text}},
        {{Cell{std::int64_t{-42}},
          Cell{utc(2026, 12, 2, 14, 3, 55) + std::chrono::milliseconds{900}}, Cell{true}, Cell{}},
         {Cell{std::int64_t{0}}, Cell{utc(1969, 12, 31, 23, 59, 59)}, Cell{false}, Cell{"x"}}});
    // A negative number is a number, not a formula: no prefix.
    EXPECT_EQ(file, std::string(kBom) +
                        "n,at,trusted,note\r\n"
                        "-42,2026-12-02T14:03:55Z,true,\r\n"
                        "0,1969-12-31T23:59:59Z,false,x\r\n");
}

TEST(CsvExport, ReplacesInvalidUtf8AndKeepsValidUtf8) {
    EXPECT_EQ(csv_field("blåbær"), "blåbær");
    EXPECT_EQ(csv_field("a\xff"
                        "b"),
              "a\xef\xbf\xbd"
              "b");
    EXPECT_EQ(csv_field("cut \xc3"), "cut \xef\xbf\xbd");
    EXPECT_EQ(csv_field("real \xef\xbf\xbd"), "real \xef\xbf\xbd");
}

TEST(CsvExport, RefusesARowOfTheWrongWidth) {
    testing::Received received;
    CsvWriter writer(testing::keep_in(received));
    writer.begin({{"a", Column::Kind::text}, {"b", Column::Kind::text}});
    EXPECT_THROW(writer.row({Cell{"only one"}}), std::invalid_argument);
}

// Streamed: the sink gets chunks of about 64 KiB while rows are written,
// not one string at the end, and nothing before a chunk is full.
TEST(CsvExport, SendsChunksWhileWriting) {
    testing::Received received;
    CsvWriter writer(testing::keep_in(received));
    writer.begin({{"recipient", Column::Kind::text}});
    writer.row({Cell{"a@example.org"}});
    EXPECT_EQ(received.calls, 0u);
    std::size_t rows = 1;
    while (received.calls < 3) {
        writer.row({Cell{"recipient" + std::to_string(rows++) + "@example.org"}});
    }
    EXPECT_GE(received.bytes.size(), 3 * BufferedSink::kChunkBytes);
    EXPECT_LT(received.bytes.size(), 3 * BufferedSink::kChunkBytes + 100);
    writer.end();
    EXPECT_EQ(received.calls, 4u);
    EXPECT_EQ(std::count(received.bytes.begin(), received.bytes.end(), '\n'),
              static_cast<long>(rows + 1));
}

// Strangers' text comes back from an independent RFC 4180 reader (Python's
// csv, strict) as one field each, unchanged apart from the formula prefix
// and the U+FFFD for invalid UTF-8.
TEST(CsvExport, HostileTextReadsBackAsOneFieldEach) {
    std::vector<std::vector<Cell>> rows;
    for (const auto& text : testing::hostile_texts()) {
        rows.push_back({Cell{text}, Cell{std::int64_t{1}}});
    }
    auto file = export_table(ExportFormat::csv,
                             {{"text", Column::Kind::text}, {"n", Column::Kind::integer}}, rows);
    fbl::testing::TempDir dir;
    testing::write_file(dir.file("hostile.csv"), file);
    auto back = testing::read_back("csv", dir.file("hostile.csv"))["rows"];
    ASSERT_EQ(back.size(), rows.size() + 1);
    EXPECT_EQ(back[0], (nlohmann::json{"text", "n"}));
    EXPECT_EQ(back[1][0], "<script>alert(1)</script>");
    EXPECT_EQ(back[2][0], std::string("nul\0inside", 10));
    EXPECT_EQ(back[4][0], "line\r\nbreaks\nand\rcarriage");
    EXPECT_EQ(back[5][0], "invalid \xef\xbf\xbd\xef\xbf\xbd utf-8 \xef\xbf\xbd");
    EXPECT_EQ(back[7][0], "'=HYPERLINK(\"http://evil.example\",\"x\")");
    EXPECT_EQ(back[9][0].get<std::string>().size(), 20 * 1024 + 1);
    for (std::size_t i = 1; i < back.size(); ++i) {
        EXPECT_EQ(back[i].size(), 2u) << "row " << i;
        EXPECT_EQ(back[i][1], "1") << "row " << i;
    }
}

}  // namespace
}  // namespace fbl::web::exporting
