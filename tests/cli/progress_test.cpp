// cli/progress.h with a clock the test moves.
#include "cli/progress.h"

#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace fbl::cli {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

class ProgressTest : public ::testing::Test {
  protected:
    Progress::Now clock() {
        return [this] { return now; };
    }
    std::size_t redraws() const {
        const std::string text = out.str();
        return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\r'));
    }

    std::ostringstream out;
    Progress::Clock::time_point now{};
};

TEST_F(ProgressTest, DrawsRowsRateAndTimeLeftOnceATenthOfASecondHasPassed) {
    Progress progress(out, true, "import", 100, clock());
    for (int i = 0; i < 5; ++i) {
        progress.advance();
    }
    EXPECT_EQ(out.str(), "") << "nothing before 100 ms";
    now += 100ms;
    progress.advance();
    EXPECT_EQ(out.str(), "\rimport: 6 rows of 100, 60 rows/s, 0:02 left");
    now += 900ms;
    progress.advance(54);
    progress.finish();
    EXPECT_THAT(out.str(), HasSubstr("\rimport: 60 rows of 100, 60 rows/s, 0:01 left"));
    EXPECT_THAT(out.str(), testing::EndsWith("\rimport: 60 rows in 1.0 s, 60 rows/s         \n"))
        << "the final line blanks what the longer one left";
}

TEST_F(ProgressTest, WithoutATotalThereIsNoTimeLeft) {
    Progress progress(out, true, "rekey", std::nullopt, clock());
    now += 2s;
    progress.advance(10);
    EXPECT_EQ(out.str(), "\rrekey: 10 rows, 5 rows/s");
}

TEST_F(ProgressTest, RedrawsAtMostTenTimesASecond) {
    Progress progress(out, true, "migrate", std::nullopt, clock());
    for (int i = 0; i < 3000; ++i) {
        now += 1ms;
        progress.advance();
    }
    EXPECT_EQ(redraws(), 30u) << "3 s of rows, one line per 100 ms";
}

TEST_F(ProgressTest, DisabledItWritesNothing) {
    {
        Progress progress(out, false, "import", 10, clock());
        now += 1s;
        progress.advance(10);
        progress.finish();
        EXPECT_EQ(progress.done(), 10);
    }
    EXPECT_EQ(out.str(), "");
}

TEST_F(ProgressTest, ALineLeftOpenByAnErrorIsEnded) {
    {
        Progress progress(out, true, "export", 10, clock());
        now += 1s;
        progress.advance();
    }
    EXPECT_THAT(out.str(), testing::EndsWith("left\n"));
}

}  // namespace
}  // namespace fbl::cli
