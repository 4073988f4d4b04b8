// The complaint plan: the business rules both backends write (issue 15).
#include "store/complaint_plan.h"

#include <gtest/gtest.h>

#include "tests/store/store_test_support.h"

namespace fbl::store {
namespace {

using fbl::testing::complaint_for;
using fbl::testing::job_for;

TEST(ComplaintPlan, OneSuppressionPerKeyWithItsReasonSourceAndScope) {
    auto complaint = complaint_for("r-1", {"a@example.com", "b@example.com", "a@example.com"});
    complaint.recipients.push_back({"", "not an address", "original-to"});
    TimePoint received = std::chrono::system_clock::now() - std::chrono::hours(1);
    TimePoint expires = received + std::chrono::hours(24);
    auto plan = plan_complaint(complaint, 17, received, Scope::all, expires, {}, received);
    ASSERT_EQ(plan.suppressions.size(), 2u);
    EXPECT_EQ(plan.suppressions[0].key, "a@example.com");
    EXPECT_EQ(plan.suppressions[1].key, "b@example.com");
    for (const auto& entry : plan.suppressions) {
        EXPECT_EQ(entry.reason, Reason::complaint);
        EXPECT_EQ(entry.scope, Scope::all);
        EXPECT_EQ(entry.source, "report:17");
        EXPECT_EQ(entry.mailing_id, "m-1");
        EXPECT_EQ(entry.first_at, received);
        EXPECT_EQ(entry.expires_at, expires);
    }
    complaint.kind = ComplaintKind::unsubscribe;
    EXPECT_EQ(plan_complaint(complaint, 17, received, Scope::all, std::nullopt, {}, received)
                  .suppressions[0]
                  .reason,
              Reason::unsubscribe);
}

TEST(ComplaintPlan, EveryJobHasAKeyAndADueTime) {
    auto complaint = complaint_for("r-2", {"a@example.com"});
    TimePoint now = std::chrono::system_clock::now();
    auto keyed = job_for("crm", "given-key");
    keyed.next_attempt_at = now + std::chrono::minutes(5);
    auto plan = plan_complaint(complaint, 3, now, Scope::marketing, std::nullopt,
                               {job_for("crm", ""), keyed}, now);
    ASSERT_EQ(plan.jobs.size(), 2u);
    EXPECT_EQ(plan.jobs[0].idempotency_key, "r-2:crm:0");
    EXPECT_EQ(plan.jobs[0].next_attempt_at, now);
    EXPECT_EQ(plan.jobs[1].idempotency_key, "given-key");
    EXPECT_EQ(plan.jobs[1].next_attempt_at, now + std::chrono::minutes(5));
}

}  // namespace
}  // namespace fbl::store
