// fblctl and a change of the suppression normalisation (issue 14 item 13),
// and `fblctl complaints reevaluate` (item 5), through the built binary.
#include <filesystem>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/cli/fblctl_fixture.h"

namespace fbl::cli {
namespace {

using ::testing::HasSubstr;

using FblctlRekeyTest = fbl::testing::FblctlFixture;

TEST_F(FblctlRekeyTest, ANormalisationChangeIsRefusedUntilRekeyThenEverySpellingMatches) {
    write_config("");
    ASSERT_EQ(fblctl({"add", "John.Doe@gmail.com"}).status, 0);
    EXPECT_EQ(fblctl({"rekey", "--check"}).status, 0);

    write_config("suppression:\n  gmail_dot_folding: true\n");
    for (const std::vector<std::string>& command :
         {std::vector<std::string>{"check", "johndoe@gmail.com"},
          {"add", "someone@example.com"},
          {"list"}}) {
        auto refused = fblctl(command);
        EXPECT_EQ(refused.status, 78) << command[0] << ": " << refused.out << refused.err;
        EXPECT_THAT(refused.err, HasSubstr("run `fblctl rekey`")) << command[0];
    }
    auto check = fblctl({"rekey", "--check"});
    EXPECT_EQ(check.status, 1) << check.out << check.err;
    EXPECT_THAT(check.out, HasSubstr("keys need a re-key"));

    auto rekeyed = fblctl({"rekey"});
    ASSERT_EQ(rekeyed.status, 0) << rekeyed.err;
    EXPECT_THAT(rekeyed.out, HasSubstr("1 suppressions moved"));
    for (const char* spelling : {"johndoe@gmail.com", "John.Doe@gmail.com", "j.ohndoe@gmail.com"}) {
        EXPECT_EQ(fblctl({"check", spelling}).status, 1) << spelling;
    }
    EXPECT_THAT(fblctl({"rekey"}).out, HasSubstr("keys are current"));
}

TEST_F(FblctlRekeyTest, ReevaluateActsOnAReportThatTodaysConfigTrusts) {
    std::string report = std::string(FBL_FIXTURES_DIR) + "/arf/standard.eml";
    write_config("feedback:\n  trust: either\n  reporter_domains: [provider.example]\n");
    ASSERT_EQ(fblctl({"ingest", report}).status, 0);
    EXPECT_EQ(fblctl({"check", "alice.smith@example.org"}).status, 0);
    auto still = fblctl({"complaints", "reevaluate", "1"});
    EXPECT_EQ(still.status, 1) << still.out << still.err;
    EXPECT_THAT(still.out, HasSubstr("complaint 1: still untrusted"));
    EXPECT_EQ(fblctl({"complaints", "reevaluate"}).status, 2);
    EXPECT_EQ(fblctl({"complaints", "reevaluate", "99"}).status, 65);

    write_config("feedback:\n  trust: any\n  reporter_domains: [provider.example]\n");
    auto trusted = fblctl({"complaints", "reevaluate", "--all"});
    ASSERT_EQ(trusted.status, 0) << trusted.err;
    EXPECT_THAT(trusted.out, HasSubstr("complaint 1: trusted now"));
    EXPECT_THAT(trusted.out, HasSubstr("1 suppressed"));
    EXPECT_THAT(trusted.out, HasSubstr("1 trusted now, 0 still untrusted"));
    EXPECT_EQ(fblctl({"check", "alice.smith@example.org"}).status, 1);
    // Trusted now, so no longer among the untrusted: --all finds nothing more.
    EXPECT_THAT(fblctl({"complaints", "reevaluate", "--all"}).out,
                HasSubstr("0 untrusted complaint(s)"));
    auto again = fblctl({"complaints", "reevaluate", "1"});
    EXPECT_EQ(again.status, 65) << again.out;  // trusted rows keep no raw copy
}

}  // namespace
}  // namespace fbl::cli
