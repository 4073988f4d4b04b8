#include "milter/verdict.h"

#include <gtest/gtest.h>

namespace fbl::milter {
namespace {

TEST(Verdict, FailureActionsMapThroughOneTable) {
    EXPECT_EQ(verdict_for_failure(config::FailureAction::tempfail, kTempfailStoreReply).action,
              Verdict::Action::tempfail);
    EXPECT_EQ(verdict_for_failure(config::FailureAction::tempfail, kTempfailStoreReply).reply.code,
              "451");
    EXPECT_EQ(verdict_for_failure(config::FailureAction::accept, kTempfailStoreReply).action,
              Verdict::Action::accept);
    EXPECT_EQ(verdict_for_failure(config::FailureAction::reject, kTempfailStoreReply).action,
              Verdict::Action::reject);
}

TEST(Verdict, SuppressedReplyFillsRecipientAndIsSafeForSetreply) {
    config::SmtpReply configured{"550", "5.7.1", "<{rcpt}> opted out, 100% sure\r\nbye"};
    auto reply = suppressed_reply(configured, "a@example.com");
    EXPECT_EQ(reply.code, "550");
    EXPECT_EQ(reply.xcode, "5.7.1");
    EXPECT_EQ(reply.text, "<a@example.com> opted out, 100%% sure  bye");
}

}  // namespace
}  // namespace fbl::milter
