#include "common/units.h"

#include <gtest/gtest.h>

namespace fbl {
namespace {

TEST(ParseDuration, AcceptsUnitsAndBareSeconds) {
    EXPECT_EQ(parse_duration("90"), std::chrono::seconds(90));
    EXPECT_EQ(parse_duration("30s"), std::chrono::seconds(30));
    EXPECT_EQ(parse_duration("15m"), std::chrono::minutes(15));
    EXPECT_EQ(parse_duration("72h"), std::chrono::hours(72));
    EXPECT_EQ(parse_duration("30d"), std::chrono::hours(720));
    EXPECT_EQ(parse_duration("2w"), std::chrono::hours(336));
}

TEST(ParseDuration, RejectsGarbage) {
    for (auto text : {"", "s", "10x", "-5s", "1.5h", "99999999999999999999d"}) {
        EXPECT_FALSE(parse_duration(text)) << text;
    }
}

TEST(ParseSize, AcceptsBinaryAndDecimalUnits) {
    EXPECT_EQ(parse_size("512"), 512u);
    EXPECT_EQ(parse_size("64KiB"), 65536u);
    EXPECT_EQ(parse_size("10MiB"), 10u * 1024 * 1024);
    EXPECT_EQ(parse_size("1GB"), 1000000000u);
    EXPECT_FALSE(parse_size("10 parsecs"));
}

TEST(FormatDuration, UsesTheLargestExactUnit) {
    EXPECT_EQ(format_duration(std::chrono::hours(72)), "3d");
    EXPECT_EQ(format_duration(std::chrono::minutes(90)), "90m");
    EXPECT_EQ(format_duration(std::chrono::seconds(61)), "61s");
}

}  // namespace
}  // namespace fbl
