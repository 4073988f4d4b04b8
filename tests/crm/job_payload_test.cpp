// The job payload, the one contract between intake, outbox and adapters.
#include "crm/job_payload.h"

#include <gtest/gtest.h>

#include "crm/adapter.h"

namespace fbl::crm {
namespace {

TEST(JobPayload, RoundTripsEveryField) {
    JobPayload payload;
    payload.email = "Alice.Smith@example.org";
    payload.reason = "complaint";
    payload.feedback_type = "abuse";
    payload.reported_at = "2026-11-02T10:15:00Z";
    payload.mailing_id = "november-2026";
    payload.complaint_id = "c0ffee";
    JobPayload back = JobPayload::from_json(payload.to_json());
    EXPECT_EQ(back.variables(), payload.variables());
    EXPECT_EQ(back.variables().at("email"), "Alice.Smith@example.org");
}

TEST(JobPayload, OlderOrPartialPayloadsStillRun) {
    auto payload = JobPayload::from_json(R"({"email":"a@x.example","extra":1,"mailing_id":42})");
    EXPECT_EQ(payload.email, "a@x.example");
    EXPECT_EQ(payload.mailing_id, "42");
    EXPECT_EQ(payload.reason, "");
    EXPECT_EQ(payload.variables().size(), JobPayload::field_names().size());
    EXPECT_THROW(JobPayload::from_json("not json"), std::invalid_argument);
    EXPECT_THROW(JobPayload::from_json("[1]"), std::invalid_argument);
}

TEST(JobPayload, ItsFieldsAreTheJobVariables) {
    EXPECT_EQ(job_variables(), JobPayload::field_names());
}

}  // namespace
}  // namespace fbl::crm
