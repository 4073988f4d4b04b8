#include <cstdlib>
#include <filesystem>

#include <gtest/gtest.h>

#include "tests/suppression/temp_dir.h"
#include "tests/web/export_test_support.h"
#include "web/export/excel_text.h"
#include "web/export/xlsx_writer.h"

namespace fbl::web::exporting {
namespace {

using nlohmann::json;
using testing::utc;

// The writer's temporary files go to a directory of the test's own, so the
// test can see them come and go.
class XlsxExport : public ::testing::Test {
  protected:
    void SetUp() override {
        const char* old = std::getenv("TMPDIR");
        old_tmpdir_ = old != nullptr ? std::optional<std::string>(old) : std::nullopt;
        setenv("TMPDIR", tmp_.path().c_str(), 1);
    }
    void TearDown() override {
        if (old_tmpdir_) {
            setenv("TMPDIR", old_tmpdir_->c_str(), 1);
        } else {
            unsetenv("TMPDIR");
        }
    }

    std::size_t files_left() const {
        return static_cast<std::size_t>(
            std::distance(std::filesystem::directory_iterator(tmp_.path()),
                          std::filesystem::directory_iterator()));
    }

    // The workbook read back by openpyxl: one entry per sheet.
    json read_back(const std::string& bytes) {
        auto path = out_.file("export.xlsx");
        testing::write_file(path, bytes);
        return testing::read_back("xlsx", path)["sheets"];
    }

    fbl::testing::TempDir tmp_;
    fbl::testing::TempDir out_;
    std::optional<std::string> old_tmpdir_;
};

const std::vector<Column> kColumns = {{"recipient", Column::Kind::text},
                                      {"complaints", Column::Kind::integer},
                                      {"received", Column::Kind::timestamp},
                                      {"trusted", Column::Kind::boolean},
                                      {"note", Column::Kind::text}};

TEST_F(XlsxExport, HeaderIsBoldAndFrozenAndCellsHaveTheirTypes) {
    auto bytes = testing::export_table(ExportFormat::xlsx, kColumns,
                                       {{Cell{"a@example.org"}, Cell{std::int64_t{2}},
                                         Cell{utc(2026, 12, 2, 14, 3, 55)}, Cell{true}, Cell{}},
                                        {Cell{"=1+1"}, Cell{std::int64_t{-7}},
                                         Cell{utc(1970, 1, 1, 0, 0, 0)}, Cell{false}, Cell{"ok"}}});
    auto sheets = read_back(bytes);
    ASSERT_EQ(sheets.size(), 1u);
    const auto& sheet = sheets[0];
    EXPECT_EQ(sheet["title"], "Export");
    EXPECT_EQ(sheet["freeze"], "A2");
    const auto& rows = sheet["rows"];
    ASSERT_EQ(rows.size(), 3u);
    for (std::size_t i = 0; i < kColumns.size(); ++i) {
        EXPECT_EQ(rows[0][i]["value"], kColumns[i].name);
        EXPECT_EQ(rows[0][i]["bold"], true);
        EXPECT_EQ(rows[1][i]["bold"], false);
    }
    EXPECT_EQ(rows[1][0]["type"], "s");
    EXPECT_EQ(rows[1][0]["value"], "a@example.org");
    EXPECT_EQ(rows[1][1]["type"], "n");
    EXPECT_EQ(rows[1][1]["value"], 2);
    EXPECT_EQ(rows[1][2]["type"], "d");
    EXPECT_EQ(rows[1][2]["value"], "2026-12-02T14:03:55");
    EXPECT_EQ(rows[1][2]["format"], "yyyy-mm-dd hh:mm:ss");
    EXPECT_EQ(rows[1][3]["type"], "b");
    EXPECT_EQ(rows[1][3]["value"], true);
    EXPECT_EQ(rows[1][4]["value"], nullptr);
    // A formula-looking text is a string cell, never a formula.
    EXPECT_EQ(rows[2][0]["type"], "s");
    EXPECT_EQ(rows[2][0]["value"], "=1+1");
    EXPECT_EQ(rows[2][1]["value"], -7);
    EXPECT_EQ(rows[2][2]["value"], "1970-01-01T00:00:00");
    EXPECT_EQ(rows[2][3]["value"], false);
}

// What Excel cannot hold exactly is written as text rather than wrong.
TEST_F(XlsxExport, LongIntegersAndTimesBefore1900MarchAreText) {
    auto bytes = testing::export_table(
        ExportFormat::xlsx, {{"n", Column::Kind::integer}, {"at", Column::Kind::timestamp}},
        {{Cell{std::int64_t{1234567890123456789}}, Cell{utc(1900, 2, 28, 12, 0, 0)}},
         {Cell{std::int64_t{999999999999999}}, Cell{utc(1900, 3, 1, 0, 0, 0)}}});
    auto rows = read_back(bytes)[0]["rows"];
    EXPECT_EQ(rows[1][0]["value"], "1234567890123456789");
    EXPECT_EQ(rows[1][1]["value"], "1900-02-28T12:00:00Z");
    EXPECT_EQ(rows[2][0]["value"], 999999999999999);
    EXPECT_EQ(rows[2][1]["value"], "1900-03-01T00:00:00");
}

TEST_F(XlsxExport, HostileTextGivesAFileThatOpens) {
    std::vector<std::vector<Cell>> rows;
    for (const auto& text : testing::hostile_texts()) {
        rows.push_back({Cell{text}});
    }
    rows.push_back({Cell{std::string(40000, 'z')}});
    auto sheets =
        read_back(testing::export_table(ExportFormat::xlsx, {{"text", Column::Kind::text}}, rows));
    auto back = sheets[0]["rows"];
    ASSERT_EQ(back.size(), rows.size() + 1);
    auto value = [&](std::size_t row) { return back[row][0]["value"].get<std::string>(); };
    EXPECT_EQ(value(1), "<script>alert(1)</script>");
    EXPECT_EQ(value(2), "nul\xef\xbf\xbdinside");
    // Control characters are written as Excel spells them in XML, _xHHHH_
    // (Excel shows the character; openpyxl 3.0 leaves the escape as is).
    EXPECT_EQ(value(3), "bell_x0007_ escape_x001B_[2J del\x7f c1\xc2\x9b");
    EXPECT_EQ(value(4), "line_x000D_\nbreaks\nand_x000D_carriage");
    EXPECT_EQ(value(5), "invalid \xef\xbf\xbd\xef\xbf\xbd utf-8 \xef\xbf\xbd");
    EXPECT_EQ(value(7), "=HYPERLINK(\"http://evil.example\",\"x\")");
    EXPECT_EQ(back[7][0]["type"], "s");
    EXPECT_EQ(value(8), "\xef\xbf\xbd noncharacter");
    EXPECT_EQ(value(9).size(), 20 * 1024 + 1);
    EXPECT_EQ(value(10), std::string(kExcelMaxCellChars, 'z'));
}

// What would read as Excel's escape keeps its seven characters.
TEST(ExcelText, EscapesTheUnderscoreOfALiteralExcelEscape) {
    EXPECT_EQ(excel_text("a_x0041_b"), "a_x005F_x0041_b");
    EXPECT_EQ(excel_text("_x12_ and _xGGGG_ and _x0041"), "_x12_ and _xGGGG_ and _x0041");
}

TEST(ExcelText, CutsAtExcelsLimitInUtf16UnitsOnACharacterBoundary) {
    // U+1F600 is two UTF-16 units and four UTF-8 bytes.
    std::string emoji = "\xf0\x9f\x98\x80";
    std::string text;
    for (int i = 0; i < 20000; ++i) {
        text += emoji;
    }
    auto cut = excel_text(text);
    EXPECT_EQ(cut.size(), (kExcelMaxCellChars / 2) * emoji.size());
    EXPECT_EQ(excel_text("short \xc3\xa6"), "short \xc3\xa6");
}

// More rows than one sheet holds go on in the next sheet, header again.
TEST_F(XlsxExport, RowsBeyondASheetGoOnInTheNext) {
    testing::Received received;
    XlsxWriter writer(testing::keep_in(received),
                      {.sheet_name = "Complaints", .rows_per_sheet = 2});
    std::vector<std::vector<Cell>> rows;
    for (std::int64_t i = 1; i <= 5; ++i) {
        rows.push_back({Cell{i}});
    }
    auto sheets =
        read_back(testing::write_table(writer, {{"n", Column::Kind::integer}}, rows, received));
    ASSERT_EQ(sheets.size(), 3u);
    EXPECT_EQ(sheets[0]["title"], "Complaints");
    EXPECT_EQ(sheets[1]["title"], "Complaints 2");
    EXPECT_EQ(sheets[2]["title"], "Complaints 3");
    std::vector<json> values;
    for (const auto& sheet : sheets) {
        EXPECT_EQ(sheet["rows"][0][0]["value"], "n");
        EXPECT_EQ(sheet["freeze"], "A2");
        for (std::size_t i = 1; i < sheet["rows"].size(); ++i) {
            values.push_back(sheet["rows"][i][0]["value"]);
        }
    }
    EXPECT_EQ(json(values), json::parse("[1, 2, 3, 4, 5]"));
}

TEST_F(XlsxExport, RefusesMoreRowsPerSheetThanExcelHas) {
    EXPECT_THROW(XlsxWriter([](std::string_view) {}, {.rows_per_sheet = 1048576}),
                 std::invalid_argument);
}

// The temporary file lives in $TMPDIR while rows are written, nothing is
// sent before end(), and nothing is left behind after.
TEST_F(XlsxExport, TemporaryFileIsGoneAfterEnd) {
    testing::Received received;
    auto writer = make_writer(ExportFormat::xlsx, testing::keep_in(received));
    writer->begin(kColumns);
    writer->row({Cell{"a@example.org"}, Cell{std::int64_t{1}}, Cell{utc(2026, 1, 1, 0, 0, 0)},
                 Cell{true}, Cell{}});
    EXPECT_EQ(files_left(), 1u);
    EXPECT_EQ(received.calls, 0u);
    writer->end();
    EXPECT_EQ(files_left(), 0u);
    EXPECT_EQ(received.bytes.substr(0, 2), "PK");
}

TEST_F(XlsxExport, TemporaryFileIsGoneWhenTheExportStopsHalfWay) {
    {
        auto writer = make_writer(ExportFormat::xlsx, [](std::string_view) {});
        writer->begin(kColumns);
        writer->row({Cell{"a@example.org"}, Cell{std::int64_t{1}}, Cell{utc(2026, 1, 1, 0, 0, 0)},
                     Cell{true}, Cell{}});
        EXPECT_EQ(files_left(), 1u);
        EXPECT_THROW(writer->row({Cell{"short row"}}), std::invalid_argument);
    }
    EXPECT_EQ(files_left(), 0u);
}

TEST_F(XlsxExport, TemporaryFileIsGoneWhenTheClientGoesAway) {
    auto writer = make_writer(
        ExportFormat::xlsx, [](std::string_view) { throw std::runtime_error("connection reset"); });
    writer->begin(kColumns);
    writer->row({Cell{"a@example.org"}, Cell{std::int64_t{1}}, Cell{utc(2026, 1, 1, 0, 0, 0)},
                 Cell{true}, Cell{}});
    EXPECT_THROW(writer->end(), std::runtime_error);
    EXPECT_EQ(files_left(), 0u);
}

}  // namespace
}  // namespace fbl::web::exporting
