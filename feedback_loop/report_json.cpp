#include "feedback_loop/report_json.h"

#include "feedback_loop/field_values.h"

namespace fbl::feedback_loop {
namespace {

using nlohmann::json;

json optional_time(const std::optional<TimePoint>& time) {
    return time ? json(iso8601(*time)) : json(nullptr);
}

template <typename T>
json optional_value(const std::optional<T>& value) {
    return value ? json(*value) : json(nullptr);
}

json auth_failure_json(const AuthFailureFields& auth) {
    json fields = json::object();
    auto put = [&](const char* key, const std::string& value) {
        if (!value.empty()) {
            fields[key] = value;
        }
    };
    put("auth_failure", auth.auth_failure);
    put("delivery_result", auth.delivery_result);
    put("dkim_adsp_dns", auth.dkim_adsp_dns);
    put("dkim_canonicalized_body", auth.dkim_canonicalized_body);
    put("dkim_canonicalized_header", auth.dkim_canonicalized_header);
    put("dkim_domain", auth.dkim_domain);
    put("dkim_identity", auth.dkim_identity);
    put("dkim_selector", auth.dkim_selector);
    put("dkim_selector_dns", auth.dkim_selector_dns);
    put("spf_dns", auth.spf_dns);
    put("identity_alignment", auth.identity_alignment);
    return fields;
}

json extensions_json(const std::map<std::string, std::vector<std::string>>& extensions) {
    json object = json::object();
    for (const auto& [name, values] : extensions) {
        object[name] = values.size() == 1 ? json(values.front()) : json(values);
    }
    return object;
}

json recipients_json(const Resolution& resolution) {
    json addresses = json::array();
    json evidence = json::array();
    for (const ResolvedRecipient& recipient : resolution.recipients) {
        addresses.push_back(recipient.address);
        evidence.push_back({{"address", recipient.address}, {"evidence", recipient.evidence}});
    }
    return json{{"recipients", addresses}, {"recipient_evidence", evidence}};
}

}  // namespace

json to_json(const FeedbackReport& report, const Resolution& resolution) {
    const OriginalHeaders& original = report.original;
    json out = json::object();
    out["kind"] = to_string(report.kind);
    out["format"] = to_string(report.format);
    out["feedback_type"] = report.feedback_type;
    out.update(recipients_json(resolution));
    out["recipient_source"] = resolution.source;
    out["redacted"] = resolution.redacted;
    out["unresolved"] = resolution.unresolved;
    out["original_message_id"] = original.message_id;
    out["original_mail_from"] = report.original_mail_from;
    out["original_rcpt_to"] = report.original_rcpt_to;
    out["removal_recipients"] = report.removal_recipients;
    out["recipients_truncated"] = report.recipients_truncated;
    out["reporter"] = report.report.reporter_domain;
    out["report_from"] = report.report.from;
    out["report_message_id"] = report.report.message_id;
    out["report_date"] = optional_time(report.report.date);
    out["report_dkim_domains"] = report.report.dkim_domains;
    out["user_agent"] = report.user_agent;
    out["version"] = report.version;
    out["original_envelope_id"] = report.original_envelope_id;
    out["arrival_date"] = optional_time(report.arrival_date);
    out["reporting_mta"] = report.reporting_mta;
    out["source_ip"] = report.source_ip;
    out["source_hostname"] = report.source_hostname;
    out["source_port"] = optional_value(report.source_port);
    out["incidents"] = optional_value(report.incidents);
    out["authentication_results"] = report.authentication_results;
    out["reported_domains"] = report.reported_domains;
    out["reported_uris"] = report.reported_uris;
    out["redacted_address"] = report.redacted_address;
    out["auth_failure"] = auth_failure_json(report.auth);
    out["original_source"] = original.source;
    out["original_from"] = original.from;
    out["original_to"] = original.to;
    out["original_subject"] = original.subject;
    out["original_date"] = optional_time(original.date);
    out["original_return_path"] = original.return_path;
    out["list_unsubscribe"] = original.list_unsubscribe;
    out["list_id"] = original.list_id;
    out["feedback_id"] = original.feedback_id;
    out["reference_header"] = original.reference;
    out["mailing_id"] = original.mailing_id;
    out["extensions"] = extensions_json(report.extensions);
    out["errors"] = report.errors;
    out["warnings"] = report.warnings;
    out["resolution_notes"] = resolution.notes;
    return out;
}

}  // namespace fbl::feedback_loop
