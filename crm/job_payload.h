#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

// What one CRM job is about: the contract between intake/ (which queues it
// with the complaint, in the same transaction), the outbox and the adapters
// (which see each field as a template variable: {email}, {reason}, ...).
// Stored as JSON in outbox.payload_json; this type is its only reader and
// writer.
namespace fbl::crm {

struct JobPayload {
    std::string email;          // the complainant, as reported
    std::string reason;         // complaint | unsubscribe
    std::string feedback_type;  // abuse, fraud, ...
    std::string reported_at;    // ISO 8601, UTC
    std::string mailing_id;
    // The complaint's dedup key: the store assigns the row id in the same
    // transaction, and the dedup key names the complaint as uniquely and stably.
    std::string complaint_id;

    std::string to_json() const;
    // Throws std::invalid_argument when `json` is no JSON object. Missing
    // fields stay empty; other members are ignored.
    static JobPayload from_json(std::string_view json);

    // Field name (as in JSON and templates) -> value.
    std::map<std::string, std::string> variables() const;
    // The field names, in declaration order: the template variables a job
    // brings, which an adapter's settings must not hide.
    static const std::vector<std::string>& field_names();
};

}  // namespace fbl::crm
