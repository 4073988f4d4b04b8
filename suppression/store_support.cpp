#include "suppression/store_support.h"

#include <algorithm>
#include <cstdlib>
#include <set>

#include <fmt/format.h>
#include <pwd.h>
#include <unistd.h>

namespace fbl::suppression {

std::string current_actor() {
    if (const char* sudo_user = std::getenv("SUDO_USER"); sudo_user && *sudo_user) {
        return sudo_user;
    }
    if (const passwd* entry = getpwuid(geteuid()); entry && entry->pw_name) {
        return entry->pw_name;
    }
    return fmt::format("uid {}", geteuid());
}

std::vector<const Suppression*> in_key_order(const std::vector<Suppression>& entries) {
    std::vector<const Suppression*> ordered;
    ordered.reserve(entries.size());
    for (const auto& entry : entries) {
        ordered.push_back(&entry);
    }
    std::stable_sort(ordered.begin(), ordered.end(),
                     [](const auto* a, const auto* b) { return a->key < b->key; });
    return ordered;
}

std::string rekey_note(const std::string& new_key) {
    return "re-keyed to " + new_key;
}

std::vector<Suppression> complaint_suppressions(const Complaint& complaint,
                                                std::int64_t complaint_id, TimePoint received,
                                                Scope scope,
                                                const std::optional<TimePoint>& expires_at) {
    std::vector<Suppression> entries;
    std::set<std::string> done;
    for (const auto& item : complaint.recipients) {
        if (item.key.empty() || !done.insert(item.key).second) {
            continue;
        }
        Suppression entry;
        entry.key = item.key;
        entry.address = item.address;
        entry.reason = complaint.kind == "unsubscribe" ? Reason::unsubscribe : Reason::complaint;
        entry.scope = scope;
        entry.source = fmt::format("report:{}", complaint_id);
        entry.mailing_id = complaint.mailing_id;
        entry.first_at = received;
        entry.expires_at = expires_at;
        entries.push_back(std::move(entry));
    }
    return entries;
}

std::string idempotency_key_of(const Complaint& complaint, const OutboxJob& job,
                               std::size_t index) {
    return job.idempotency_key.empty()
               ? fmt::format("{}:{}:{}", complaint.dedup_key, job.adapter, index)
               : job.idempotency_key;
}

}  // namespace fbl::suppression
