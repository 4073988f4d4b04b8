#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// What a mailbox provider told us about our mail, as parsed from one message.
// Plain data: no MIME objects survive the parse.
namespace fbl::feedback_loop {

using TimePoint = std::chrono::system_clock::time_point;

enum class ReportKind { complaint, not_spam, auth_failure, unsubscribe, not_a_report };

// How a report was recognised (its to_string is what `fblctl parse` shows).
enum class ReportFormat {
    none,  // not a report
    arf,
    arf_text_plain,
    arf_forwarded,
    jmrp,
    jmrp_bare,
    unsubscribe_request,
};
const char* to_string(ReportFormat format);
// ARF in any of its spellings; Microsoft's JMRP in either.
bool is_arf(ReportFormat format);
bool is_jmrp(ReportFormat format);

// "complaint", "not-spam", "auth-failure", "unsubscribe", "not-a-report".
const char* to_string(ReportKind kind);

// RFC 6591 (and RFC 7489 Identity-Alignment) fields of an auth-failure report.
struct AuthFailureFields {
    std::string auth_failure;  // adsp | bodyhash | revoked | signature | spf | dmarc
    std::string delivery_result;
    std::string dkim_adsp_dns;
    std::string dkim_canonicalized_body;  // base64, whitespace removed
    std::string dkim_canonicalized_header;
    std::string dkim_domain;
    std::string dkim_identity;
    std::string dkim_selector;
    std::string dkim_selector_dns;
    std::string spf_dns;
    std::string identity_alignment;
};

// The headers of the message the report is about that matter to us.
struct OriginalHeaders {
    bool present = false;
    std::string source;      // message/rfc822 | text/rfc822-headers | inline-text | top-level
    std::string message_id;  // without angle brackets
    std::string from;
    std::vector<std::string> to;  // addr-specs, as written
    std::vector<std::string> cc;
    bool to_undisclosed = false;       // To: is a group or display name without any address
    bool addresses_truncated = false;  // To/Cc cut at limits::kMaxRecipientsPerReport
    std::string subject;               // RFC 2047 decoded
    std::optional<TimePoint> date;
    std::string return_path;  // addr-spec, brackets removed
    std::string list_unsubscribe;
    std::string list_id;
    std::string feedback_id;
    std::string reference;  // value of the configured reference header (see issue 7)
    std::vector<std::string> dkim_domains;  // d= of every DKIM-Signature, lower-cased (unverified)
    std::string x_hmxmr_original_recipient;
    std::string mailing_id;         // value of the first configured mailing-id header present
    std::string mailing_id_header;  // which header gave it
};

// The report message's own headers.
struct ReportHeaders {
    std::string from;             // addr-spec of From
    std::string reporter_domain;  // domain of From, lower-cased
    std::vector<std::string> to;
    std::string message_id;  // without angle brackets
    std::string subject;
    std::optional<TimePoint> date;
    std::vector<std::string> dkim_domains;  // d= of every DKIM-Signature, lower-cased
    std::vector<std::string> authentication_results;
};

struct FeedbackReport {
    ReportKind kind = ReportKind::not_a_report;
    ReportFormat format = ReportFormat::none;

    // RFC 5965 fields (values unfolded, comments removed where the field is a token).
    std::string feedback_type;  // lower-cased
    std::string user_agent;
    std::string version;
    std::string original_envelope_id;
    std::string original_mail_from;  // addr-spec, brackets removed
    std::vector<std::string> original_rcpt_to;
    std::optional<TimePoint> arrival_date;  // Arrival-Date or Received-Date
    std::string reporting_mta;              // the name after "dns;"
    std::string source_ip;
    std::string source_hostname;     // the "(hostname)" comment of Source-IP
    std::optional<int> source_port;  // RFC 6692
    std::optional<std::int64_t> incidents;
    std::vector<std::string> authentication_results;
    std::vector<std::string> reported_domains;
    std::vector<std::string> reported_uris;
    std::vector<std::string> removal_recipients;
    // Addresses were left out at limits::kMaxRecipientsPerReport (or with
    // fields past limits::kMaxFieldsPerBlock): the lists above are not all
    // the report names, so policy must not act on them as if they were.
    bool recipients_truncated = false;
    bool redacted_address = false;  // a Redacted-Address field is present (AOL style)
    std::string redacted_address_value;
    AuthFailureFields auth;
    // Every field we do not know, by name as first written; values in order.
    std::map<std::string, std::vector<std::string>> extensions;

    OriginalHeaders original;
    ReportHeaders report;

    std::vector<std::string> errors;    // why it is not a report, or what could not be read
    std::vector<std::string> warnings;  // what was tolerated
};

}  // namespace fbl::feedback_loop
