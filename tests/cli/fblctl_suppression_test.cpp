// fblctl's suppression commands end to end: the built binary, a temporary
// config file and a temporary SQLite database.
#include <filesystem>
#include <fstream>

#include <fmt/chrono.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sqlite3.h>

#include "store/sqlite/sqlite_store.h"
#include "tests/cli/fblctl_fixture.h"
#include "tests/store/store_test_support.h"

namespace fbl::cli {
namespace {

using namespace std::chrono_literals;
using fbl::testing::RunResult;
using ::testing::HasSubstr;

class FblctlTest : public fbl::testing::FblctlFixture {
  protected:
    void SetUp() override { write_config(); }

    void write_file(const std::string& name, const std::string& content) {
        std::ofstream(dir.file(name), std::ios::binary) << content;
    }

    std::unique_ptr<store::SqliteStore> store() { return fbl::testing::open_sqlite(database); }
};

TEST_F(FblctlTest, AddCheckRemove) {
    auto added = fblctl({"add", "User@Bücher.example", "<b@example.com>", "--reason", "unsubscribe",
                         "--scope", "all", "--note", "asked by phone"});
    ASSERT_EQ(added.status, 0) << added.err;
    EXPECT_EQ(added.out, "suppressed user@xn--bcher-kva.example\nsuppressed b@example.com\n");

    auto hit = fblctl({"check", "user@xn--bcher-kva.example"});
    EXPECT_EQ(hit.status, 1);
    EXPECT_THAT(hit.out, HasSubstr("unsubscribe"));
    EXPECT_THAT(hit.out, HasSubstr("all"));
    EXPECT_THAT(hit.out, HasSubstr("asked by phone"));

    EXPECT_EQ(fblctl({"check", "nobody@example.com"}).status, 0);
    EXPECT_EQ(fblctl({"check", "nobody@example.com", "B@example.com"}).status, 1);

    auto removed = fblctl({"remove", "b@example.com", "--note", "customer resubscribed"});
    ASSERT_EQ(removed.status, 0) << removed.err;
    EXPECT_EQ(removed.out, "removed b@example.com\n");
    EXPECT_EQ(fblctl({"check", "b@example.com"}).status, 0);
    EXPECT_EQ(fblctl({"remove", "b@example.com"}).out, "not suppressed b@example.com\n");

    // The history keeps who removed it, when, and why.
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(database.c_str(), &db), SQLITE_OK);
    sqlite3_stmt* statement = nullptr;
    sqlite3_prepare_v2(db,
                       "SELECT actor, note, changed_at FROM changes WHERE key = 'b@example.com' "
                       "AND suppressed = 0",
                       -1, &statement, nullptr);
    ASSERT_EQ(sqlite3_step(statement), SQLITE_ROW);
    EXPECT_STRNE(reinterpret_cast<const char*>(sqlite3_column_text(statement, 0)), "");
    EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(statement, 1)),
                 "customer resubscribed");
    EXPECT_GT(sqlite3_column_int64(statement, 2), 0);
    sqlite3_finalize(statement);
    sqlite3_close(db);
}

TEST_F(FblctlTest, CheckAsJsonIsOneDocument) {
    ASSERT_EQ(fblctl({"add", "a@example.com", "--expires", "2099-01-01"}).status, 0);
    auto result = fblctl({"check", "a@example.com", "z@example.com", "--format", "json"});
    EXPECT_EQ(result.status, 1);
    auto document = nlohmann::json::parse(result.out);
    ASSERT_EQ(document.size(), 2u);
    EXPECT_EQ(document[0]["suppressed"], true);
    EXPECT_EQ(document[0]["expires"], "2099-01-01T00:00:00Z");
    EXPECT_EQ(document[0]["reason"], "manual");
    EXPECT_EQ(document[1]["suppressed"], false);
    EXPECT_TRUE(document[1]["reason"].is_null());
}

TEST_F(FblctlTest, BadInputChangesNothing) {
    store();  // an empty store: read commands never create one
    auto malformed = fblctl({"add", "good@example.com", "not-an-address"});
    EXPECT_EQ(malformed.status, 65);
    EXPECT_THAT(malformed.err, HasSubstr("'not-an-address': the address has no '@'"));
    EXPECT_EQ(fblctl({"check", "good@example.com"}).status, 0);

    auto reason = fblctl({"add", "a@example.com", "--reason", "whim"});
    EXPECT_EQ(reason.status, 2);
    EXPECT_THAT(reason.err, HasSubstr("whim"));
    EXPECT_EQ(fblctl({"add", "a@example.com", "--scope", "some"}).status, 2);

    auto expiry = fblctl({"add", "a@example.com", "--expires", "soonish"});
    EXPECT_EQ(expiry.status, 65);
    EXPECT_THAT(expiry.err, HasSubstr("--expires"));
    auto since = fblctl({"list", "--since", "2026-02-30"});
    EXPECT_EQ(since.status, 65);
    EXPECT_THAT(since.err, HasSubstr("is not a date"));
    EXPECT_EQ(fblctl({"check", "a@example.com"}).status, 0);
    EXPECT_EQ(fblctl({"check", "<broken"}).status, 65);
    EXPECT_EQ(store()->last_sequence(), 0);
}

TEST_F(FblctlTest, ExpiresTakesADurationOrADate) {
    ASSERT_EQ(fblctl({"add", "a@example.com", "--expires", "30d"}).status, 0);
    ASSERT_EQ(fblctl({"add", "b@example.com", "--expires", "2000-01-01"}).status,
              0);  // already past
    auto a = store()->find("a@example.com");
    ASSERT_TRUE(a && a->expires_at);
    EXPECT_GT(*a->expires_at, std::chrono::system_clock::now() + 29 * 24h);
    EXPECT_EQ(fblctl({"check", "b@example.com"}).status, 0);  // expired entries do not match
}

// Notes and subjects come from strangers' mail: in a terminal they must not
// move the cursor or clear the screen, in a spreadsheet they must not run.
TEST_F(FblctlTest, OutputDefusesControlCharactersAndFormulas) {
    ASSERT_EQ(
        fblctl({"add", "a@example.com", "--note", "=HYPERLINK(\"http://evil\",\"x\")"}).status, 0);
    ASSERT_EQ(fblctl({"add", "b@example.com", "--note", "-2+3"}).status, 0);
    ASSERT_EQ(fblctl({"add", "c@example.com", "--note", "@SUM(A1)"}).status, 0);
    ASSERT_EQ(fblctl({"add", "d@example.com", "--note", "\x1b[2Jgone\r\nfake line\xc2\x9b"}).status,
              0);

    auto table = fblctl({"list"});
    ASSERT_EQ(table.status, 0) << table.err;
    EXPECT_EQ(table.out.find('\x1b'), std::string::npos) << table.out;
    EXPECT_EQ(table.out.find('\r'), std::string::npos) << table.out;
    EXPECT_EQ(table.out.find("\xc2\x9b"), std::string::npos) << table.out;
    EXPECT_THAT(table.out, HasSubstr("\\x1b[2Jgone\\r\\nfake line\\u009b"));
    EXPECT_EQ(std::count(table.out.begin(), table.out.end(), '\n'), 5);

    auto csv = fblctl({"list", "--format", "csv"});
    ASSERT_EQ(csv.status, 0) << csv.err;
    EXPECT_THAT(csv.out, HasSubstr(",\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\"\r\n"));
    EXPECT_THAT(csv.out, HasSubstr(",'-2+3\r\n"));
    EXPECT_THAT(csv.out, HasSubstr(",'@SUM(A1)\r\n"));
    EXPECT_THAT(csv.out, ::testing::Not(HasSubstr(",=HYPERLINK")));
    EXPECT_THAT(csv.out, ::testing::Not(HasSubstr(",-2+3")));

    // JSON is for programs: the values as they are.
    auto json = nlohmann::json::parse(fblctl({"list", "--format", "json"}).out);
    EXPECT_EQ(json.at(0)["note"], "=HYPERLINK(\"http://evil\",\"x\")");
}

TEST_F(FblctlTest, ListInEveryFormat) {
    ASSERT_EQ(fblctl({"add", "a@example.com", "--note", "said \"stop\", twice"}).status, 0);
    ASSERT_EQ(fblctl({"add", "b@example.com", "--reason", "bounce"}).status, 0);

    auto table = fblctl({"list"});
    ASSERT_EQ(table.status, 0);
    EXPECT_EQ(table.out.substr(0, table.out.find('\n')).substr(0, 3), "key");
    EXPECT_EQ(std::count(table.out.begin(), table.out.end(), '\n'), 3);

    auto csv = fblctl({"list", "--format", "csv", "--reason", "manual"});
    ASSERT_EQ(csv.status, 0);
    EXPECT_EQ(csv.out.substr(0, csv.out.find("\r\n")),
              "key,address,reason,scope,since,last,count,expires,source,mailing,note");
    EXPECT_THAT(csv.out, HasSubstr(",fblctl,,\"said \"\"stop\"\", twice\"\r\n"));
    EXPECT_THAT(csv.out, ::testing::Not(HasSubstr("b@example.com")));

    auto json = fblctl({"list", "--format", "json"});
    ASSERT_EQ(json.status, 0);
    auto document = nlohmann::json::parse(json.out);
    ASSERT_EQ(document.size(), 2u);
    EXPECT_EQ(document[0]["note"], "said \"stop\", twice");
    EXPECT_EQ(document[1]["reason"], "bounce");
    EXPECT_EQ(
        nlohmann::json::parse(fblctl({"list", "--format", "json", "--mailing", "none"}).out).size(),
        0u);
}

class FblctlComplaintsTest : public FblctlTest {
  protected:
    void SetUp() override {
        FblctlTest::SetUp();
        auto now = std::chrono::system_clock::now();
        auto first = fbl::testing::complaint_for("r1", {"a@example.com"});
        first.received_at = now - 72h;
        first.mailing_id = "spring-sale";
        first.provider = "yahoo.com";
        first.original_subject = "Sale, \"today\" only";
        auto second = fbl::testing::complaint_for("r2", {"b@example.com", "c@example.com"});
        second.received_at = now - 1h;
        second.mailing_id = "newsletter-12";
        second.provider = "hotmail.com";
        auto s = store();
        s->record_complaint(first, suppression::Scope::marketing, std::nullopt, {});
        s->record_complaint(second, suppression::Scope::marketing, std::nullopt, {});
    }
};

TEST_F(FblctlComplaintsTest, ComplaintsViewAndFilters) {
    auto all = fblctl({"complaints", "--format", "json"});
    ASSERT_EQ(all.status, 0) << all.err;
    auto rows = nlohmann::json::parse(all.out);
    ASSERT_EQ(rows.size(), 3u);  // one row per complaining recipient
    EXPECT_EQ(rows[0]["recipient"], "a@example.com");
    EXPECT_EQ(rows[0]["mailing"], "spring-sale");
    EXPECT_EQ(rows[0]["provider"], "yahoo.com");
    EXPECT_EQ(rows[0]["feedback_type"], "abuse");
    EXPECT_EQ(rows[0]["subject"], "Sale, \"today\" only");

    auto by_mailing = nlohmann::json::parse(
        fblctl({"complaints", "--format", "json", "--mailing", "newsletter-12"}).out);
    EXPECT_EQ(by_mailing.size(), 2u);
    auto by_provider = nlohmann::json::parse(
        fblctl({"complaints", "--format", "json", "--provider", "yahoo.com"}).out);
    EXPECT_EQ(by_provider.size(), 1u);

    std::string yesterday_text = fmt::format("{:%Y-%m-%d}", std::chrono::system_clock::now() - 48h);
    auto recent = nlohmann::json::parse(
        fblctl({"complaints", "--format", "json", "--since", yesterday_text}).out);
    EXPECT_EQ(recent.size(), 2u);
    auto older = nlohmann::json::parse(
        fblctl({"complaints", "--format", "json", "--until", yesterday_text}).out);
    EXPECT_EQ(older.size(), 1u);

    auto table = fblctl({"complaints"});
    EXPECT_EQ(table.status, 0);
    EXPECT_THAT(table.out, HasSubstr("newsletter-12"));
    EXPECT_EQ(fblctl({"complaints", "--until", "yesterday"}).status, 65);
}

TEST_F(FblctlComplaintsTest, ExportCsvToAFileForASubsetOfAddresses) {
    write_file("subset.txt", "email\nC@Example.com\n\n# a comment\n");
    std::string output = dir.file("export.csv");
    auto result =
        fblctl({"export", "--format", "csv", "--addresses", dir.file("subset.txt"), "-o", output});
    ASSERT_EQ(result.status, 0) << result.err;
    EXPECT_EQ(result.out, "");
    std::string csv = fbl::testing::read_text(output);
    EXPECT_EQ(csv.substr(0, csv.find("\r\n")),
              "date,recipient,key,mailing,provider,feedback_type,subject,trusted,trust_reason,kind,"
              "evidence,"
              "complaint_id,message_id");
    // The whole complaint is exported, with both of its recipients.
    EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 3);
    EXPECT_THAT(csv, HasSubstr("c@example.com"));
    EXPECT_THAT(csv, ::testing::Not(HasSubstr("spring-sale")));

    auto quoted = fblctl({"export", "--format", "csv", "--mailing", "spring-sale"});
    EXPECT_THAT(quoted.out, HasSubstr(",\"Sale, \"\"today\"\" only\","));
}

TEST_F(FblctlComplaintsTest, ExportJsonWithTheSuppressionList) {
    auto result = fblctl({"export", "--format", "json", "--suppressions"});
    ASSERT_EQ(result.status, 0) << result.err;
    auto document = nlohmann::json::parse(result.out);
    EXPECT_EQ(document["complaints"].size(), 3u);
    EXPECT_EQ(document["suppressions"].size(), 3u);
    EXPECT_EQ(document["suppressions"][0]["reason"], "complaint");

    auto csv = fblctl({"export", "--format", "csv", "--suppressions"});
    EXPECT_EQ(csv.out.substr(0, 4), "key,");
}

TEST_F(FblctlComplaintsTest, ExportRefusesABadAddressFileAndWritesNothing) {
    write_file("subset.txt", "a@example.com\nnot an address\n");
    std::string output = dir.file("export.csv");
    auto result =
        fblctl({"export", "--format", "csv", "--addresses", dir.file("subset.txt"), "-o", output});
    EXPECT_EQ(result.status, 65);
    EXPECT_THAT(result.err, HasSubstr("line 2"));
    EXPECT_FALSE(std::filesystem::exists(output));
    EXPECT_EQ(fblctl({"export", "--format", "table"}).status, 2);  // csv or json only

    auto unwritable =
        fblctl({"export", "--format", "csv", "-o", dir.file("no/such/dir/export.csv")});
    EXPECT_EQ(unwritable.status, 73);
}

TEST_F(FblctlTest, ImportAllOrNothing) {
    write_file(
        "good.csv",
        "address,reason,note\r\na@example.com,bounce,\"hard, 5.1.1\"\r\nB@example.com,,\r\n");
    auto imported = fblctl({"import", dir.file("good.csv")});
    ASSERT_EQ(imported.status, 0) << imported.err;
    EXPECT_EQ(imported.out, "imported 2 addresses\n");
    auto a = store()->find("a@example.com");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->reason, store::Reason::bounce);
    EXPECT_EQ(a->note, "hard, 5.1.1");
    EXPECT_EQ(store()->find("b@example.com")->reason, store::Reason::import);

    write_file("bad.csv", "address\nc@example.com\nno-at-sign\nd@example.com\n");
    auto sequence = store()->last_sequence();
    auto refused = fblctl({"import", dir.file("bad.csv"), "--reason", "manual"});
    EXPECT_EQ(refused.status, 65);
    EXPECT_THAT(refused.err, HasSubstr("line 3: 'no-at-sign': the address has no '@'"));
    EXPECT_THAT(refused.err, HasSubstr("nothing imported"));
    EXPECT_EQ(store()->last_sequence(), sequence);
    EXPECT_FALSE(store()->find("c@example.com"));

    auto dry = fblctl({"import", dir.file("bad.csv"), "--dry-run", "--skip-invalid"});
    EXPECT_EQ(dry.status, 0);
    EXPECT_EQ(dry.out, "dry run: would import 2 addresses, 1 bad lines skipped\n");
    EXPECT_EQ(store()->last_sequence(), sequence);

    auto skipped = fblctl({"import", dir.file("bad.csv"), "--skip-invalid"});
    EXPECT_EQ(skipped.status, 0);
    EXPECT_TRUE(store()->find("c@example.com"));
    EXPECT_TRUE(store()->find("d@example.com"));
}

TEST_F(FblctlTest, ImportRejectsWrongColumnsAndBrokenCsv) {
    write_file("columns.csv", "name,phone\nAnna,123\n");
    auto columns = fblctl({"import", dir.file("columns.csv")});
    EXPECT_EQ(columns.status, 65);
    EXPECT_THAT(columns.err, HasSubstr("unknown column 'name'"));

    write_file("fields.csv", "address,note\na@example.com\n");
    auto fields = fblctl({"import", dir.file("fields.csv")});
    EXPECT_EQ(fields.status, 65);
    EXPECT_THAT(fields.err, HasSubstr("line 2: 1 fields, the header has 2"));

    write_file("quote.csv", "address,note\na@example.com,\"never closed\n");
    auto quote = fblctl({"import", dir.file("quote.csv")});
    EXPECT_EQ(quote.status, 65);
    EXPECT_THAT(quote.err, HasSubstr("not closed"));

    EXPECT_EQ(fblctl({"import", dir.file("missing.csv")}).status, 2);
    EXPECT_EQ(store()->last_sequence(), 0);
}

TEST_F(FblctlTest, TwoFblctlProcessesWriteAtOnce) {
    std::string first = "address\n";
    std::string second = "address\n";
    for (int i = 0; i < 300; ++i) {
        first += "first" + std::to_string(i) + "@example.com\n";
        second += "second" + std::to_string(i) + "@example.com\n";
    }
    write_file("first.csv", first);
    write_file("second.csv", second);
    store().reset();  // the schema exists, as when the daemon runs
    std::string work = dir.path().string();
    pid_t a =
        fbl::testing::start_fblctl(work, {"-c", config, "import", dir.file("first.csv")}, "a");
    pid_t b = fbl::testing::start_fblctl(work, {"-c", config, "add", "solo@example.com"}, "b");
    pid_t c =
        fbl::testing::start_fblctl(work, {"-c", config, "import", dir.file("second.csv")}, "c");
    EXPECT_EQ(fbl::testing::finish_fblctl(work, a, "a").status, 0);
    EXPECT_EQ(fbl::testing::finish_fblctl(work, b, "b").status, 0);
    EXPECT_EQ(fbl::testing::finish_fblctl(work, c, "c").status, 0);
    EXPECT_EQ(store()->list({}).size(), 601u);
}

TEST_F(FblctlTest, StoreProblemsGetAClearMessage) {
    std::ofstream(database) << "this is not a database" << std::string(2000, '.');
    auto corrupt = fblctl({"list"});
    EXPECT_NE(corrupt.status, 0);
    EXPECT_THAT(corrupt.err, HasSubstr("not a SQLite database"));

    write_file("fblmilter.yaml",
               "store:\n  sqlite:\n    path: " + dir.file("missing/fbl.db") + "\n");
    auto unavailable = fblctl({"check", "a@example.com"});
    EXPECT_EQ(unavailable.status, 75);
    EXPECT_THAT(unavailable.err, HasSubstr("missing/fbl.db"));

    auto no_config =
        fbl::testing::run_fblctl(dir.path().string(), {"-c", dir.file("nope.yaml"), "list"});
    EXPECT_EQ(no_config.status, 78);
}

}  // namespace
}  // namespace fbl::cli
