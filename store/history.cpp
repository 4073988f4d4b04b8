#include "store/history.h"

namespace fbl::store {

const std::vector<HistoryTable>& history_tables() {
    static const std::vector<HistoryTable> tables{
        {"suppressions",
         {"key", "address", "reason", "scope", "source", "mailing_id", "first_at", "last_at",
          "count", "expires_at", "note"},
         "key"},
        {"complaints",
         {"id",
          "dedup_key",
          "received_at",
          "kind",
          "feedback_type",
          "provider",
          "user_agent",
          "arrival_date",
          "source_ip",
          "original_message_id",
          "original_mail_from",
          "original_subject",
          "mailing_id",
          "trusted",
          "trust_reason",
          "unresolved",
          "redacted",
          "report_json",
          "raw_report",
          "channel",
          "recipient_key"},
         "id"},
        {"complaint_recipients",
         {"complaint_id", "position", "key", "address", "evidence"},
         "complaint_id, position"},
        {"outbox",
         {"id", "complaint_id", "adapter", "idempotency_key", "payload_json", "state", "attempts",
          "created_at", "next_attempt_at", "lease_until", "updated_at", "last_error",
          "last_response", "not_found"},
         "id"},
        // No id: SQLite numbers send-log rows implicitly (rowid).
        {"send_log",
         {"message_id", "recipient_key", "recipient", "mailing_id", "sent_at"},
         "sent_at, message_id, recipient_key"},
        {"changes",
         {"sequence", "key", "suppressed", "scope", "expires_at", "changed_at", "actor", "reason",
          "note"},
         "sequence"},
    };
    return tables;
}

std::string column_list(const HistoryTable& table) {
    std::string list;
    for (const auto& column : table.columns) {
        list += list.empty() ? column : ", " + column;
    }
    return list;
}

}  // namespace fbl::store
