#include <gtest/gtest.h>

#include "tests/web/export_test_support.h"
#include "web/export/json_writer.h"

namespace fbl::web::exporting {
namespace {

using nlohmann::json;
using testing::export_table;
using testing::utc;

const std::vector<Column> kColumns = {{"recipient", Column::Kind::text},
                                      {"complaints", Column::Kind::integer},
                                      {"received", Column::Kind::timestamp},
                                      {"trusted", Column::Kind::boolean},
                                      {"note", Column::Kind::text}};

TEST(JsonExport, IsAnArrayOfOneObjectPerRow) {
    auto file = export_table(ExportFormat::json, kColumns,
                             {{Cell{"a@example.org"}, Cell{std::int64_t{2}},
                               Cell{utc(2026, 12, 2, 14, 3, 55)}, Cell{true}, Cell{}},
                              {Cell{"b@example.org"}, Cell{std::int64_t{-9007199254740993}},
                               Cell{utc(2027, 1, 1, 0, 0, 0)}, Cell{false}, Cell{"ok"}}});
    auto back = json::parse(file);
    EXPECT_EQ(back, json::parse(R"([
      {"recipient": "a@example.org", "complaints": 2, "received": "2026-12-02T14:03:55Z",
       "trusted": true, "note": null},
      {"recipient": "b@example.org", "complaints": -9007199254740993,
       "received": "2027-01-01T00:00:00Z", "trusted": false, "note": "ok"}
    ])"));
    EXPECT_EQ(back[1]["complaints"].get<std::int64_t>(), -9007199254740993);
}

TEST(JsonExport, AnEmptySelectionIsAnEmptyArray) {
    EXPECT_EQ(json::parse(export_table(ExportFormat::json, kColumns, {})), json::array());
}

TEST(JsonExport, KeysAreEscapedToo) {
    auto file =
        export_table(ExportFormat::json, {{"say \"x\"\n", Column::Kind::text}}, {{Cell{"v"}}});
    EXPECT_EQ(json::parse(file)[0]["say \"x\"\n"], "v");
}

// Every hostile string parses back as itself, invalid UTF-8 as U+FFFD; no
// exception on the way.
TEST(JsonExport, HostileTextRoundTrips) {
    std::vector<std::vector<Cell>> rows;
    for (const auto& text : testing::hostile_texts()) {
        rows.push_back({Cell{text}});
    }
    auto file = export_table(ExportFormat::json, {{"text", Column::Kind::text}}, rows);
    auto back = json::parse(file);
    ASSERT_EQ(back.size(), rows.size());
    auto texts = testing::hostile_texts();
    for (std::size_t i = 0; i < texts.size(); ++i) {
        if (i == 4) {
            EXPECT_EQ(back[i]["text"], "invalid \xef\xbf\xbd\xef\xbf\xbd utf-8 \xef\xbf\xbd");
        } else {
            EXPECT_EQ(back[i]["text"], texts[i]) << "row " << i;
        }
    }
    // No raw control character survives in the file (JSON forbids them).
    EXPECT_EQ(file.find('\x1b'), std::string::npos);
    EXPECT_EQ(file.find('\0'), std::string::npos);
}

TEST(JsonExport, SendsChunksWhileWriting) {
    testing::Received received;
    JsonWriter writer(testing::keep_in(received));
    writer.begin({{"recipient", Column::Kind::text}});
    std::size_t rows = 0;
    while (received.calls < 2) {
        writer.row({Cell{"recipient" + std::to_string(rows++) + "@example.org"}});
    }
    writer.end();
    EXPECT_EQ(received.calls, 3u);
    EXPECT_EQ(json::parse(received.bytes).size(), rows);
}

TEST(JsonExport, RefusesARowOfTheWrongWidth) {
    testing::Received received;
    JsonWriter writer(testing::keep_in(received));
    writer.begin(kColumns);
    EXPECT_THROW(writer.row({Cell{"a"}}), std::invalid_argument);
}

TEST(ExportFormat, ParsesNamesAndGivesTypesAndExtensions) {
    EXPECT_EQ(parse_export_format("csv"), ExportFormat::csv);
    EXPECT_EQ(parse_export_format("xlsx"), ExportFormat::xlsx);
    EXPECT_EQ(parse_export_format("json"), ExportFormat::json);
    EXPECT_EQ(parse_export_format("CSV"), std::nullopt);
    EXPECT_EQ(parse_export_format("xls"), std::nullopt);
    EXPECT_EQ(parse_export_format(""), std::nullopt);
    EXPECT_EQ(content_type(ExportFormat::csv), "text/csv; charset=utf-8; header=present");
    EXPECT_EQ(content_type(ExportFormat::xlsx),
              "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    EXPECT_EQ(content_type(ExportFormat::json), "application/json");
    EXPECT_EQ(file_extension(ExportFormat::xlsx), "xlsx");
}

// C++20's variant takes a string literal as text, not as bool.
TEST(ExportCell, AStringLiteralIsText) {
    EXPECT_TRUE(std::holds_alternative<std::string>(Cell{"a@b"}));
    EXPECT_TRUE(std::holds_alternative<bool>(Cell{true}));
}

}  // namespace
}  // namespace fbl::web::exporting
