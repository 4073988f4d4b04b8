#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "store/sqlite/sqlite_store.h"
#include "tests/suppression/temp_dir.h"

namespace fbl::testing {

inline config::SqliteSettings sqlite_settings(const std::string& path) {
    config::SqliteSettings settings;
    settings.path = path;
    settings.busy_timeout = std::chrono::seconds(30);
    return settings;
}

inline std::unique_ptr<store::SqliteStore> open_sqlite(const std::string& path) {
    return std::make_unique<store::SqliteStore>(sqlite_settings(path));
}

inline store::Suppression entry_for(const std::string& key,
                                    store::Reason reason = store::Reason::manual) {
    store::Suppression entry;
    entry.key = key;
    entry.address = key;
    entry.reason = reason;
    entry.source = "test";
    return entry;
}

inline store::Complaint complaint_for(const std::string& dedup_key, std::vector<std::string> keys,
                                      bool trusted = true) {
    store::Complaint complaint;
    complaint.dedup_key = dedup_key;
    complaint.kind = store::ComplaintKind::complaint;
    complaint.feedback_type = "abuse";
    complaint.provider = "provider.example";
    complaint.original_subject = "Our newsletter";
    complaint.mailing_id = "m-1";
    complaint.trusted = trusted;
    complaint.trust_reason = trusted ? "test" : "untrusted: test";
    complaint.report_json = "{}";
    for (auto& key : keys) {
        complaint.recipients.push_back({key, key, "original-rcpt-to"});
    }
    return complaint;
}

inline store::OutboxJob job_for(const std::string& adapter, const std::string& idempotency_key) {
    store::OutboxJob job;
    job.adapter = adapter;
    job.idempotency_key = idempotency_key;
    job.payload_json = R"({"email":"x"})";
    return job;
}

}  // namespace fbl::testing
