#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "store/console_reader.h"

// The console's queries, written once for both backends: each backend says
// how it spells a parameter and the few expressions that differ, runs the
// SQL and reads the columns in the order documented here.
namespace fbl::store::console {

using SqlValue = std::variant<std::int64_t, std::string>;

struct Dialect {
    bool postgres = false;
};

// SQL text and its parameters, numbered from 1 in order.
struct Sql {
    std::string text;
    std::vector<SqlValue> params;
};

// Rejects what no query should run with (too many ids, a long search, a
// limit out of range) with std::invalid_argument.
void check(const ComplaintQuery& query);
int checked_limit(int limit, int most);

// Columns: id, received_at, channel, kind, feedback_type, provider,
// mailing_id, subject, trusted, trust_reason, recipients (a JSON array of
// addresses), crm state (CrmState as an integer), sort value (text).
Sql complaint_select(const Dialect& dialect, const ComplaintQuery& query, const ComplaintSort& sort,
                     const std::optional<ComplaintCursor>& after, std::optional<int> limit);
Sql complaint_count(const Dialect& dialect, const ComplaintQuery& query, std::int64_t cap);

std::vector<std::string> recipients_from_json(const std::string& json);
CrmState crm_state_from(std::int64_t code);

// mailing_stats: three queries, merged.
Sql sends_per_mailing(const Dialect& dialect, std::optional<TimePoint> since);  // mailing, sends
// mailing, provider, complaints, unsubscribes, untrusted
Sql reports_per_mailing_and_provider(const Dialect& dialect, std::optional<TimePoint> since);
Sql not_in_crm_per_mailing(const Dialect& dialect, std::optional<TimePoint> since);  // mailing, n

struct ProviderCounts {
    std::string mailing_id, provider;
    std::int64_t complaints = 0, unsubscribes = 0, untrusted = 0;
};
using Counts = std::map<std::string, std::int64_t>;
std::vector<MailingStats> merge_mailing_stats(const Counts& sends,
                                              const std::vector<ProviderCounts>& reports,
                                              const Counts& not_in_crm);

// daily_rates: day, count; then merged.
Sql sends_per_day(const Dialect& dialect, const std::optional<std::string>& mailing_id,
                  TimePoint since);
Sql complaints_per_day(const Dialect& dialect, const std::optional<std::string>& mailing_id,
                       TimePoint since);
std::vector<DailyRate> merge_daily_rates(const Counts& sends, const Counts& complaints);

// Columns: the suppression columns of each backend's kSuppressionColumns.
Sql suppression_select(const Dialect& dialect, const std::string& columns,
                       const std::string& search, const std::string& after_key, int limit);
// Columns: sequence, changed_at, suppressed, scope, expires_at, actor, reason, note.
Sql history_select(const Dialect& dialect, const std::string& key);

}  // namespace fbl::store::console
