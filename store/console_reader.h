#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "store/records.h"

// What the console (issue 17) reads: complaints page by page, counted,
// streamed for export; per-mailing numbers; suppressions and their history.
namespace fbl::store {

enum class ComplaintColumn { received_at, recipient, mailing, provider, feedback_type, channel };

// A complaint's CRM revocation, from its outbox jobs: any dead -> dead; else
// any pending or leased -> queued; else every job done -> done, or not_found
// when one of them found no such person. none = no job (untrusted, no
// adapter, or its done jobs were purged).
enum class CrmState { none, queued, done, dead, not_found };
const char* to_string(CrmState state);  // none, queued, done, dead, not-found

// Every field optional; all given ones must hold.
struct ComplaintQuery {
    std::optional<TimePoint> since, until;  // received_at in [since, until)
    std::string mailing_id, provider;       // exact match when non-empty
    std::optional<Channel> channel;         // the console's "source"
    std::optional<bool> trusted;
    // Case-insensitive: a substring of a recipient's address, or with a
    // leading '@' ("@example.com") the recipient's domain exactly. '%', '_'
    // and '\' in it are literal.
    std::string search;
    std::vector<std::int64_t> ids;  // only these (a selection); empty = all
};
// More ids than this in one query is std::invalid_argument.
inline constexpr std::size_t kMaxQueryIds = 10000;
// More characters than this in a search is std::invalid_argument.
inline constexpr std::size_t kMaxSearchLength = 320;

struct ComplaintSort {
    ComplaintColumn column = ComplaintColumn::received_at;
    bool descending = true;
};

// Keyset: the last row shown, by its sort value as text (received_at in
// microseconds, recipient its key, the others their stored text) and id.
struct ComplaintCursor {
    std::string value;
    std::int64_t id = 0;
};

struct ComplaintRow {
    std::int64_t id = 0;
    TimePoint received_at{};
    Channel channel = Channel::report;
    ComplaintKind kind = ComplaintKind::complaint;
    std::string feedback_type, provider, mailing_id, subject;
    bool trusted = false;
    std::string trust_reason;
    std::vector<std::string> recipients;  // addresses, in position order
    CrmState crm = CrmState::none;
};

struct ComplaintPage {
    std::vector<ComplaintRow> rows;
    std::optional<ComplaintCursor> next;  // nullopt: this was the last page
};
inline constexpr int kMaxPageRows = 500;

// One mailing's numbers (mailing_id "" = mail sent without one).
struct MailingStats {
    std::string mailing_id;
    std::int64_t sends = 0;         // send-log records
    std::int64_t complaints = 0;    // trusted, kind complaint
    std::int64_t unsubscribes = 0;  // trusted, kind unsubscribe, any channel
    std::int64_t untrusted = 0;     // untrusted reports of any kind
    std::int64_t not_in_crm = 0;    // of `complaints`, those whose CRM state is not_found
    std::vector<std::pair<std::string, std::int64_t>> top_providers;  // top 3 by complaints
};

struct DailyRate {
    std::string day;  // YYYY-MM-DD, UTC
    std::int64_t sends = 0;
    std::int64_t complaints = 0;  // trusted, kind complaint
};

struct SuppressionPage {
    std::vector<Suppression> rows;
    std::optional<std::string> next_key;  // pass as after_key for the next page
};

// One row of a key's history (the changes table).
struct SuppressionChange {
    std::int64_t sequence = 0;
    TimePoint changed_at{};
    bool suppressed = false;  // false: lifted
    Scope scope = Scope::all;
    std::optional<TimePoint> expires_at;
    std::string actor, reason, note;
};
inline constexpr std::size_t kMaxHistoryRows = 200;

using ComplaintVisitor = std::function<void(const ComplaintRow& row)>;

class ConsoleReader {
  public:
    virtual ~ConsoleReader() = default;
    // Keyset pagination (never OFFSET): the rows after `after` in `sort`
    // order, ties broken by id in the same direction; limit 1..kMaxPageRows.
    virtual ComplaintPage complaint_page(const ComplaintQuery& query, const ComplaintSort& sort,
                                         const std::optional<ComplaintCursor>& after,
                                         int limit) = 0;
    // The matching complaints, counted up to `cap` (cap when there are more).
    virtual std::int64_t count_complaints(const ComplaintQuery& query, std::int64_t cap) = 0;
    // Every matching row in sort order from one snapshot, one at a time on a
    // session of its own (other calls do not wait for an export). `visit`
    // may throw to stop; the exception comes out of each_complaint.
    virtual void each_complaint(const ComplaintQuery& query, const ComplaintSort& sort,
                                const ComplaintVisitor& visit) = 0;
    // Per mailing: sends (sent at or after `since`) and reports (received at
    // or after `since`); nullopt = all time. Highest complaint rate first (a
    // mailing with complaints but no logged sends before every other).
    virtual std::vector<MailingStats> mailing_stats(std::optional<TimePoint> since) = 0;
    // Per UTC day from `since` (days with neither sends nor complaints left
    // out), of one mailing, or of all mail when `mailing_id` is nullopt.
    virtual std::vector<DailyRate> daily_rates(const std::optional<std::string>& mailing_id,
                                               TimePoint since) = 0;
    // Active suppressions in key order after `after_key` ("" = from the
    // start) whose key or address holds `search` (case-insensitive, literal).
    virtual SuppressionPage suppression_page(const std::string& search,
                                             const std::string& after_key, int limit) = 0;
    // The key's changes, newest first, at most kMaxHistoryRows.
    virtual std::vector<SuppressionChange> history(const std::string& key) = 0;
};

}  // namespace fbl::store
