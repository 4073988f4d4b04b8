#include "feedback_loop/feedback_fields.h"

#include <charconv>
#include <functional>
#include <unordered_map>

#include "common/text.h"
#include "feedback_loop/field_block.h"
#include "feedback_loop/field_values.h"
#include "feedback_loop/limits.h"

namespace fbl::feedback_loop {
namespace {

using Reader = std::function<void(const Field&, FeedbackReport&)>;

// A field that may appear once: later copies are reported, the first kept.
void set_once(std::string& target, std::string value, const Field& field, FeedbackReport& report) {
    if (!target.empty()) {
        report.warnings.push_back("field " + field.name + " repeated; the first is kept");
        return;
    }
    target = std::move(value);
}

// Values that are a token or a short text: comments go, the rest stays.
std::string token(const Field& field) {
    return strip_comments(field.value);
}

std::string without_whitespace(std::string_view value) {
    std::string result;
    for (char c : value) {
        if (c != ' ' && c != '\t') {
            result.push_back(c);
        }
    }
    return result;
}

template <typename Number>
std::optional<Number> number(std::string_view text) {
    Number value{};
    text = trim(text);
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size()) {
        return std::nullopt;
    }
    return value;
}

void read_source_ip(const Field& field, FeedbackReport& report) {
    std::vector<std::string> comments;
    std::string ip = strip_comments(field.value, &comments);
    if (ip.size() >= 2 && ip.front() == '[' && ip.back() == ']') {
        ip = ip.substr(1, ip.size() - 2);
    }
    set_once(report.source_ip, ip, field, report);
    if (!comments.empty() && report.source_hostname.empty()) {
        report.source_hostname = comments.front();
    }
}

void read_reporting_mta(const Field& field, FeedbackReport& report) {
    std::string value = token(field);
    std::size_t semicolon = value.find(';');
    if (semicolon != std::string::npos) {
        value = std::string(trim(std::string_view(value).substr(semicolon + 1)));
    }
    set_once(report.reporting_mta, value, field, report);
}

void read_arrival_date(const Field& field, FeedbackReport& report) {
    if (report.arrival_date) {
        report.warnings.push_back("field " + field.name + " repeated; the first is kept");
        return;
    }
    report.arrival_date = parse_date(field.value);
    if (!report.arrival_date) {
        report.warnings.push_back("unreadable " + field.name + ": " + field.value);
    }
}

void read_source_port(const Field& field, FeedbackReport& report) {
    auto port = number<int>(token(field));
    if (port && *port >= 0 && *port <= 65535) {
        report.source_port = port;
    } else {
        report.warnings.push_back("unreadable Source-Port: " + field.value);
    }
}

void read_incidents(const Field& field, FeedbackReport& report) {
    auto incidents = number<std::int64_t>(token(field));
    if (incidents && *incidents >= 0) {
        report.incidents = incidents;
    } else {
        report.warnings.push_back("unreadable Incidents: " + field.value);
    }
}

bool names_recipients(std::string_view lowered_name) {
    return lowered_name == "original-rcpt-to" || lowered_name == "removal-recipient";
}

// Original-Rcpt-To and Removal-Recipient share one cap: together they are
// the people the report names.
void add_addresses(std::vector<std::string>& target, const Field& field, FeedbackReport& report) {
    std::vector<std::string> addresses = addr_spec_list(field.value);
    if (addresses.empty() && !trim(field.value).empty() && trim(field.value) != "<>") {
        report.warnings.push_back("no address in " + field.name + ": " + field.value);
    }
    for (std::string& address : addresses) {
        if (report.original_rcpt_to.size() + report.removal_recipients.size() >=
            limits::kMaxRecipientsPerReport) {
            report.recipients_truncated = true;
            return;
        }
        target.push_back(std::move(address));
    }
}

// Every field RFC 5965/6591/6692/7489 defines, by lower-cased name.
const std::unordered_map<std::string, Reader>& readers() {
    static const std::unordered_map<std::string, Reader> table = {
        {"feedback-type",
         [](const Field& f, FeedbackReport& r) {
             set_once(r.feedback_type, text::ascii_lower(token(f)), f, r);
         }},
        {"user-agent",
         [](const Field& f, FeedbackReport& r) { set_once(r.user_agent, f.value, f, r); }},
        {"version", [](const Field& f, FeedbackReport& r) { set_once(r.version, token(f), f, r); }},
        {"original-envelope-id",
         [](const Field& f, FeedbackReport& r) {
             set_once(r.original_envelope_id, token(f), f, r);
         }},
        {"original-mail-from",
         [](const Field& f, FeedbackReport& r) {
             set_once(r.original_mail_from, addr_spec(f.value), f, r);
         }},
        {"original-rcpt-to",
         [](const Field& f, FeedbackReport& r) { add_addresses(r.original_rcpt_to, f, r); }},
        {"removal-recipient",
         [](const Field& f, FeedbackReport& r) { add_addresses(r.removal_recipients, f, r); }},
        {"arrival-date", read_arrival_date},
        {"received-date", read_arrival_date},
        {"reporting-mta", read_reporting_mta},
        {"source-ip", read_source_ip},
        {"source-port", read_source_port},
        {"incidents", read_incidents},
        {"authentication-results",
         [](const Field& f, FeedbackReport& r) { r.authentication_results.push_back(f.value); }},
        {"reported-domain",
         [](const Field& f, FeedbackReport& r) {
             r.reported_domains.push_back(text::ascii_lower(token(f)));
         }},
        {"reported-uri",
         [](const Field& f, FeedbackReport& r) { r.reported_uris.push_back(token(f)); }},
        {"redacted-address",
         [](const Field& f, FeedbackReport& r) {
             r.redacted_address = true;
             r.redacted_address_value = f.value;
         }},
        {"auth-failure",
         [](const Field& f, FeedbackReport& r) {
             set_once(r.auth.auth_failure, text::ascii_lower(token(f)), f, r);
         }},
        {"delivery-result",
         [](const Field& f, FeedbackReport& r) {
             set_once(r.auth.delivery_result, text::ascii_lower(token(f)), f, r);
         }},
        {"dkim-adsp-dns",
         [](const Field& f, FeedbackReport& r) { set_once(r.auth.dkim_adsp_dns, f.value, f, r); }},
        {"dkim-canonicalized-body",
         [](const Field& f, FeedbackReport& r) {
             set_once(r.auth.dkim_canonicalized_body, without_whitespace(f.value), f, r);
         }},
        {"dkim-canonicalized-header",
         [](const Field& f, FeedbackReport& r) {
             set_once(r.auth.dkim_canonicalized_header, without_whitespace(f.value), f, r);
         }},
        {"dkim-domain",
         [](const Field& f, FeedbackReport& r) {
             set_once(r.auth.dkim_domain, text::ascii_lower(token(f)), f, r);
         }},
        {"dkim-identity",
         [](const Field& f, FeedbackReport& r) { set_once(r.auth.dkim_identity, token(f), f, r); }},
        {"dkim-selector",
         [](const Field& f, FeedbackReport& r) { set_once(r.auth.dkim_selector, token(f), f, r); }},
        {"dkim-selector-dns",
         [](const Field& f, FeedbackReport& r) {
             set_once(r.auth.dkim_selector_dns, f.value, f, r);
         }},
        {"spf-dns",
         [](const Field& f, FeedbackReport& r) { set_once(r.auth.spf_dns, f.value, f, r); }},
        {"identity-alignment",
         [](const Field& f, FeedbackReport& r) {
             set_once(r.auth.identity_alignment, text::ascii_lower(token(f)), f, r);
         }},
    };
    return table;
}

// Unknown fields by lower-cased name, so each costs one hash look-up (a
// scan of every name kept so far made many distinct fields quadratic).
class Extensions {
  public:
    explicit Extensions(FeedbackReport& report) : report_(report) {}

    void keep(const Field& field, const std::string& lowered_name) {
        auto [slot, added] = by_name_.try_emplace(lowered_name, nullptr);
        if (added) {
            slot->second = &report_.extensions[field.name];
        }
        slot->second->push_back(field.value);
    }

  private:
    FeedbackReport& report_;
    std::unordered_map<std::string, std::vector<std::string>*> by_name_;
};

}  // namespace

void read_feedback_fields(std::string_view body, FeedbackReport& report) {
    // Fields past the cap are not read; if any of them named recipients the
    // report's recipient lists are incomplete, and say so.
    FieldBlock block =
        parse_field_block(body, limits::kMaxFieldsPerBlock, [&](std::string_view name) {
            if (!report.recipients_truncated && names_recipients(text::ascii_lower(name))) {
                report.recipients_truncated = true;
            }
        });
    for (const std::string& line : block.skipped_lines) {
        report.warnings.push_back("not a field, skipped: " + line.substr(0, 80));
    }
    const auto& table = readers();
    Extensions extensions(report);
    for (const Field& field : block.fields) {
        if (field.truncated) {
            report.warnings.push_back("value of " + field.name + " truncated at " +
                                      std::to_string(limits::kMaxValueBytes) + " bytes");
        }
        std::string name = text::ascii_lower(field.name);
        auto reader = table.find(name);
        if (reader != table.end()) {
            reader->second(field, report);
        } else {
            extensions.keep(field, name);
        }
    }
    if (block.fields_past_limit > 0) {
        report.warnings.push_back(std::to_string(block.fields_past_limit) +
                                  " fields skipped past the limit of " +
                                  std::to_string(limits::kMaxFieldsPerBlock) + " per report");
    }
}

}  // namespace fbl::feedback_loop
