#include "store/complaint_plan.h"

#include <set>
#include <string>

#include <fmt/format.h>

namespace fbl::store {

ComplaintPlan plan_complaint(const Complaint& complaint, std::int64_t complaint_id,
                             TimePoint received, Scope scope,
                             const std::optional<TimePoint>& expires_at,
                             const std::vector<OutboxJob>& jobs, TimePoint now) {
    ComplaintPlan plan;
    std::set<std::string> done;
    for (const auto& item : complaint.recipients) {
        if (item.key.empty() || !done.insert(item.key).second) {
            continue;
        }
        Suppression entry;
        entry.key = item.key;
        entry.address = item.address;
        entry.reason =
            complaint.kind == ComplaintKind::unsubscribe ? Reason::unsubscribe : Reason::complaint;
        entry.scope = scope;
        entry.source = fmt::format("{}:{}", to_string(complaint.channel), complaint_id);
        entry.mailing_id = complaint.mailing_id;
        entry.first_at = received;
        entry.expires_at = expires_at;
        plan.suppressions.push_back(std::move(entry));
    }
    for (std::size_t index = 0; index < jobs.size(); ++index) {
        OutboxJob job = jobs[index];
        if (job.idempotency_key.empty()) {
            job.idempotency_key = fmt::format("{}:{}:{}", complaint.dedup_key, job.adapter, index);
        }
        if (job.next_attempt_at == TimePoint{}) {
            job.next_attempt_at = now;
        }
        plan.jobs.push_back(std::move(job));
    }
    return plan;
}

}  // namespace fbl::store
