#include "milter/verdict.h"

#include <gtest/gtest.h>

namespace fbl::milter {
namespace {

TEST(Verdict, FailureActionsMapThroughOneTable) {
    auto at_eom = [](config::FailureAction action) {
        return verdict_for_failure(action, kTempfailStoreReply, Stage::end_of_message);
    };
    EXPECT_EQ(at_eom(config::FailureAction::tempfail).action, Verdict::Action::tempfail);
    EXPECT_EQ(at_eom(config::FailureAction::tempfail).reply.code, "451");
    EXPECT_EQ(at_eom(config::FailureAction::accept).action, Verdict::Action::accept);
    EXPECT_EQ(at_eom(config::FailureAction::reject).action, Verdict::Action::reject);
}

// Issue 14.11: SMFIS_ACCEPT before end of message would skip what end of
// message still has to do for the other recipients.
TEST(Verdict, FailingOpenBeforeEndOfMessageLetsTheMessageGoOn) {
    for (auto stage : {Stage::connect, Stage::mail, Stage::rcpt, Stage::header,
                       Stage::end_of_headers, Stage::body}) {
        EXPECT_EQ(
            verdict_for_failure(config::FailureAction::accept, kTempfailStoreReply, stage).action,
            Verdict::Action::proceed);
    }
    EXPECT_EQ(verdict_for_failure(config::FailureAction::tempfail, kTempfailStoreReply, Stage::rcpt)
                  .action,
              Verdict::Action::tempfail);
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
