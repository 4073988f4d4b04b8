// fblctl stats end to end: the built binary over a real SQLite store holding
// a send log and complaints; rates, warning/critical flags, the three formats.
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "store/sqlite/sqlite_store.h"
#include "tests/cli/fblctl_fixture.h"
#include "tests/store/store_test_support.h"

namespace fbl::cli {
namespace {

using namespace std::chrono_literals;
using fbl::testing::complaint_for;
using fbl::testing::RunResult;
using suppression::TimePoint;
using ::testing::HasSubstr;

class FblctlStatsTest : public fbl::testing::FblctlFixture {
  protected:
    void SetUp() override { write_config(""); }

    // `count` recipients of one mailing, at `domain`, sent at `when`.
    void sends(const std::string& mailing, int count, const std::string& domain, TimePoint when) {
        std::vector<store::SendRecord> batch;
        for (int i = 0; i < count; ++i) {
            std::string key = mailing + "-" + std::to_string(i) + "@" + domain;
            batch.push_back({mailing + "-msg-" + std::to_string(i), key, key, mailing, when});
        }
        store->record_sends(batch);
    }

    void complaint(const std::string& dedup_key, const std::string& mailing, const std::string& key,
                   TimePoint when, bool trusted = true, const std::string& kind = "complaint") {
        auto entry = complaint_for(dedup_key, {key}, trusted);
        entry.mailing_id = mailing;
        entry.received_at = when;
        entry.kind = *store::parse_complaint_kind(kind);
        entry.suppresses = entry.kind == store::ComplaintKind::complaint;
        store->record_complaint(entry, suppression::Scope::marketing, std::nullopt, {});
    }

    nlohmann::json json_stats(std::vector<std::string> arguments) {
        arguments.insert(arguments.begin(), "stats");
        arguments.insert(arguments.end(), {"--format", "json"});
        auto result = fblctl(arguments);
        EXPECT_EQ(result.status, 0) << result.err;
        return nlohmann::json::parse(result.out, nullptr, false);
    }

    // Mailing "calm": 2000 sends, 1 complaint (0.05%); "loud": 1000 sends,
    // 2 complaints (0.2%, warning); "awful": 500 sends, 2 complaints (0.4%,
    // critical). Plus what must not count: untrusted and not-spam reports.
    void typical_week() {
        sends("calm", 2000, "aol.com", yesterday);
        sends("loud", 1000, "example.net", today);
        sends("awful", 500, "example.net", today);
        complaint("c1", "calm", "calm-1@aol.com", yesterday);
        complaint("l1", "loud", "loud-1@example.net", today);
        complaint("l2", "loud", "loud-2@example.net", today);
        complaint("a1", "awful", "awful-1@example.net", today);
        complaint("a2", "awful", "awful-2@example.net", today);
        complaint("forged", "calm", "calm-2@aol.com", today, false);
        complaint("notspam", "calm", "calm-3@aol.com", today, true, "not-spam");
    }

    std::unique_ptr<store::SqliteStore> store = fbl::testing::open_sqlite(database);
    // Noon UTC today and yesterday: the day grouping is the UTC date.
    TimePoint today = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now()) + 12h;
    TimePoint yesterday = today - 24h;
};

TEST_F(FblctlStatsTest, ByMailingRatesAndFlags) {
    typical_week();
    auto stats = json_stats({"--by", "mailing"});
    ASSERT_TRUE(stats.is_array());
    ASSERT_EQ(stats.size(), 3u) << stats.dump();
    // Groups in name order: awful, calm, loud.
    EXPECT_EQ(stats[0], nlohmann::json::parse(R"({"mailing":"awful","sends":500,"complaints":2,
                                                  "rate":0.004,"flag":"critical"})"));
    EXPECT_EQ(stats[1], nlohmann::json::parse(R"({"mailing":"calm","sends":2000,"complaints":1,
                                                  "rate":0.0005,"flag":"ok"})"));
    EXPECT_EQ(stats[2], nlohmann::json::parse(R"({"mailing":"loud","sends":1000,"complaints":2,
                                                  "rate":0.002,"flag":"warning"})"));
}

TEST_F(FblctlStatsTest, ByProviderIsTheRecipientDomain) {
    typical_week();
    auto stats = json_stats({"--by", "provider"});
    ASSERT_EQ(stats.size(), 2u) << stats.dump();
    EXPECT_EQ(stats[0]["provider"], "aol.com");
    EXPECT_EQ(stats[0]["sends"], 2000);
    EXPECT_EQ(stats[0]["complaints"], 1);
    EXPECT_EQ(stats[1]["provider"], "example.net");
    EXPECT_EQ(stats[1]["sends"], 1500);
    EXPECT_EQ(stats[1]["complaints"], 4);
    EXPECT_EQ(stats[1]["flag"], "warning");  // 4 / 1500 = 0.27%
}

TEST_F(FblctlStatsTest, ByDayAndSince) {
    typical_week();
    auto format_day = [](TimePoint time) {
        auto day = std::chrono::year_month_day{std::chrono::floor<std::chrono::days>(time)};
        char text[16];
        std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(day.year()),
                      static_cast<unsigned>(day.month()), static_cast<unsigned>(day.day()));
        return std::string(text);
    };
    auto stats = json_stats({"--by", "day"});
    ASSERT_EQ(stats.size(), 2u) << stats.dump();
    EXPECT_EQ(stats[0]["day"], format_day(yesterday));
    EXPECT_EQ(stats[0]["sends"], 2000);
    EXPECT_EQ(stats[0]["complaints"], 1);
    EXPECT_EQ(stats[1]["day"], format_day(today));
    EXPECT_EQ(stats[1]["sends"], 1500);
    EXPECT_EQ(stats[1]["complaints"], 4);

    auto recent = json_stats({"--by", "day", "--since", format_day(today)});
    ASSERT_EQ(recent.size(), 1u) << recent.dump();
    EXPECT_EQ(recent[0]["day"], format_day(today));
}

TEST_F(FblctlStatsTest, ComplaintsWithoutSendsHaveNoRate) {
    complaint("old", "spring", "someone@example.org", today);
    auto stats = json_stats({});
    ASSERT_EQ(stats.size(), 1u);
    EXPECT_EQ(stats[0]["mailing"], "spring");
    EXPECT_EQ(stats[0]["sends"], 0);
    EXPECT_EQ(stats[0]["complaints"], 1);
    EXPECT_TRUE(stats[0]["rate"].is_null());
    EXPECT_EQ(stats[0]["flag"], "");
}

TEST_F(FblctlStatsTest, ConfiguredThresholds) {
    typical_week();
    write_config("stats:\n  warning_rate: 0.0004\n  critical_rate: 0.002\n");
    auto stats = json_stats({});
    ASSERT_EQ(stats.size(), 3u);
    EXPECT_EQ(stats[0]["flag"], "critical");  // awful 0.4%
    EXPECT_EQ(stats[1]["flag"], "warning");   // calm 0.05%
    EXPECT_EQ(stats[2]["flag"], "critical");  // loud exactly 0.2%: at the threshold
}

TEST_F(FblctlStatsTest, TableAndCsv) {
    typical_week();
    auto table = fblctl({"stats"});
    ASSERT_EQ(table.status, 0) << table.err;
    EXPECT_THAT(table.out, HasSubstr("mailing"));
    EXPECT_THAT(table.out, HasSubstr("critical"));
    EXPECT_THAT(table.out, HasSubstr("0.004"));

    auto csv = fblctl({"stats", "--by", "provider", "--format", "csv"});
    ASSERT_EQ(csv.status, 0) << csv.err;
    EXPECT_EQ(csv.out,
              "provider,sends,complaints,rate,flag\r\n"
              "aol.com,2000,1,0.0005,ok\r\n"
              "example.net,1500,4,0.002667,warning\r\n");
}

TEST_F(FblctlStatsTest, BadArgumentsAreClearErrors) {
    auto by = fblctl({"stats", "--by", "week"});
    EXPECT_EQ(by.status, 2);
    EXPECT_THAT(by.err, HasSubstr("--by"));
    EXPECT_THAT(by.err, HasSubstr("week"));
    EXPECT_EQ(by.out, "");

    auto since = fblctl({"stats", "--since", "yesterday"});
    EXPECT_EQ(since.status, 65);
    EXPECT_THAT(since.err, HasSubstr("--since: 'yesterday' is not a date"));
    EXPECT_EQ(since.out, "");

    write_config("stats:\n  warning_rate: 0.01\n  critical_rate: 0.003\n");
    auto config_error = fblctl({"stats"});
    EXPECT_EQ(config_error.status, 78);
    EXPECT_THAT(config_error.err, HasSubstr("warning_rate"));
}

}  // namespace
}  // namespace fbl::cli
