#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "store/records.h"

namespace fbl::store {

// What recording a trusted complaint writes, decided once, here: both
// backends write exactly what the plan says (issue 15). The business rules
// (who is suppressed, with which reason, scope, source and expiry; the job
// keys that make a retry harmless) have one home.
struct ComplaintPlan {
    std::vector<Suppression> suppressions;  // one per distinct recipient key
    std::vector<OutboxJob> jobs;            // idempotency key and due time set
};

ComplaintPlan plan_complaint(const Complaint& complaint, std::int64_t complaint_id,
                             TimePoint received, Scope scope,
                             const std::optional<TimePoint>& expires_at,
                             const std::vector<OutboxJob>& jobs, TimePoint now);

}  // namespace fbl::store
