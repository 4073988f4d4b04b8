#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "suppression/change_feed.h"

// Plain records that cross the store interface. The store knows nothing of
// MIME or HTTP: callers turn their objects into these.
namespace fbl::store {

using suppression::Change;
using suppression::parse_scope;
using suppression::Scope;
using suppression::TimePoint;
using suppression::to_string;

enum class Reason { complaint, unsubscribe, manual, import, bounce };

const char* to_string(Reason reason);
std::optional<Reason> parse_reason(std::string_view text);

// Where an outbox job is in its life (the column outbox.state holds its name).
enum class JobState { pending, leased, done, dead };

const char* to_string(JobState state);  // pending, leased, done, dead
std::optional<JobState> parse_job_state(std::string_view text);

// What a stored report was (the column complaints.kind holds its name).
enum class ComplaintKind { complaint, not_spam, auth_failure, unsubscribe, not_a_report };

const char* to_string(ComplaintKind kind);  // complaint, not-spam, auth-failure, ...
std::optional<ComplaintKind> parse_complaint_kind(std::string_view text);

// How a complaint reached us (the column complaints.channel holds its
// name): a report by mail or pipe, our one-click link, a provider's webhook.
enum class Channel { report, one_click, mailgun, ses, sendgrid, postmark };

const char* to_string(Channel channel);  // report, one-click, mailgun, ses, ...
std::optional<Channel> parse_channel(std::string_view text);

// Current state of one suppressed address.
struct Suppression {
    std::string key;      // normalised address (see normalize.h)
    std::string address;  // as first given
    Reason reason = Reason::manual;
    Scope scope = Scope::marketing;
    std::string source;      // "fblctl", "report:<complaint id>", "import:<file>", ...
    std::string mailing_id;  // mailing that drew the complaint, if known
    TimePoint first_at{};
    TimePoint last_at{};
    std::int64_t count = 1;
    std::optional<TimePoint> expires_at;
    std::string note;
};

// How a report's recipient was found (DESIGN.md, "Recipient resolution").
struct ComplaintRecipient {
    std::string key;       // normalised
    std::string address;   // as resolved
    std::string evidence;  // "original-rcpt-to", "reference-header", "send-log", "verp", ...
};

// One report as taken in; the history row of the complaints table.
struct Complaint {
    std::int64_t id = 0;    // assigned by the store
    std::string dedup_key;  // same report delivered twice -> same key
    TimePoint received_at{};
    Channel channel = Channel::report;
    ComplaintKind kind = ComplaintKind::complaint;
    std::string feedback_type;  // abuse, fraud, ...
    std::string provider;       // reporter domain (domain of the report's From)
    std::string user_agent;
    std::optional<TimePoint> arrival_date;
    std::string source_ip;
    std::string original_message_id;
    std::string original_mail_from;
    std::string original_subject;
    std::string mailing_id;
    bool trusted = false;
    // Whether a trusted complaint suppresses its recipients; false for the
    // history-only kinds (not-spam, auth-failure), which keep their real trust.
    bool suppresses = true;
    std::string trust_reason;  // "reference-header k1", "dkim arf.mail.yahoo.com", "untrusted: ..."
    bool unresolved = false;   // no recipient could be determined
    bool redacted = false;
    std::vector<ComplaintRecipient> recipients;
    std::string report_json;  // the whole parsed report, for review and export
    // Base64 of the message as received, kept for untrusted reports only (up
    // to feedback.untrusted_raw_limit) so a later re-evaluation can check
    // its signatures again. Written, never read back by complaints().
    std::string raw_report;
};

// A CRM job enqueued with a complaint, drained by crm/.
struct OutboxJob {
    std::int64_t id = 0;
    std::string adapter;
    std::string idempotency_key;  // stable across retries and restarts
    std::string payload_json;     // template variables: email, reason, feedback_type, ...
    JobState state = JobState::pending;
    int attempts = 0;
    TimePoint created_at{};
    TimePoint next_attempt_at{};
    std::optional<TimePoint> lease_until;
    std::string last_error;
    std::string last_response;  // kept for dead letters (secrets never stored)
};

// Whether a finished CRM job found the person: not_found when the CRM
// answered "no such record" (404, or a lookup that found nothing) for
// every record the job acted on.
enum class CrmLookup { found, not_found };

// A job the CRM worker finished.
struct JobCompletion {
    std::int64_t id = 0;
    std::string response;  // the transcript, kept as last_response
    CrmLookup lookup = CrmLookup::found;
};

// How many outbox jobs of one adapter are in one state (metrics).
struct OutboxCount {
    std::string adapter;
    JobState state = JobState::pending;
    std::int64_t jobs = 0;
};

// One recipient of an outgoing marketing message (send log).
struct SendRecord {
    std::string message_id;  // without angle brackets
    std::string recipient_key;
    std::string recipient;
    std::string mailing_id;
    TimePoint sent_at{};
};

// How `fblctl stats` groups the send log (complaint rates).
enum class SendGrouping {
    mailing,   // by mailing id ("" when the message had none)
    provider,  // by the recipient's mail domain (the part after the last '@' of its key)
    day,       // by UTC date of sending, "YYYY-MM-DD"
};

// Recipients sent to in one group.
struct SendCount {
    std::string group;
    std::int64_t sends = 0;
};

}  // namespace fbl::store
