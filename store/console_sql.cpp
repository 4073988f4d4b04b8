#include "store/console_sql.h"

#include <algorithm>
#include <charconv>
#include <limits>
#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/text.h"
#include "store/time_codec.h"

namespace fbl::store::console {
namespace {

// Appends parameters and hands back their placeholder in the dialect.
class Params {
  public:
    explicit Params(const Dialect& dialect) : dialect_(dialect) {}

    std::string add(SqlValue value) {
        bool integer = std::holds_alternative<std::int64_t>(value);
        values_.push_back(std::move(value));
        auto number = values_.size();
        if (!dialect_.postgres) {
            return fmt::format("?{}", number);
        }
        return fmt::format("${}::{}", number, integer ? "bigint" : "text");
    }
    std::string add(const char* text) { return add(SqlValue(std::string(text))); }
    std::vector<SqlValue> take() { return std::move(values_); }

  private:
    const Dialect& dialect_;
    std::vector<SqlValue> values_;
};

// A LIKE pattern matching `text` literally ('\' escapes).
std::string literal_like(std::string_view text) {
    std::string pattern;
    for (char c : text) {
        if (c == '%' || c == '_' || c == '\\') {
            pattern.push_back('\\');
        }
        pattern.push_back(text::ascii_lower(c));
    }
    return pattern;
}

// A received_at cursor is the microseconds as decimal text; anything else
// came from a stranger's URL and is refused.
std::int64_t micros_of(const std::string& value) {
    std::int64_t micros = 0;
    auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), micros);
    if (error != std::errc() || end != value.data() + value.size()) {
        throw std::invalid_argument("a received_at cursor is a number of microseconds");
    }
    return micros;
}

const char* sort_expression(ComplaintColumn column) {
    switch (column) {
        case ComplaintColumn::received_at:
            return "c.received_at";
        case ComplaintColumn::recipient:
            return "c.recipient_key";
        case ComplaintColumn::mailing:
            return "c.mailing_id";
        case ComplaintColumn::provider:
            return "c.provider";
        case ComplaintColumn::feedback_type:
            return "c.feedback_type";
        case ComplaintColumn::channel:
            return "c.channel";
    }
    return "c.received_at";
}

std::string ids_clause(const Dialect& dialect, Params& params,
                       const std::vector<std::int64_t>& ids) {
    if (dialect.postgres) {
        std::string array = "{";
        for (auto id : ids) {
            array += (array.size() > 1 ? "," : "") + std::to_string(id);
        }
        return fmt::format("c.id = ANY({}::bigint[])", params.add(array + "}"));
    }
    return fmt::format("c.id IN (SELECT value FROM json_each({}))",
                       params.add(nlohmann::json(ids).dump()));
}

// One pass over the recipients into a set, not a probe per complaint: a
// LIKE '%...%' cannot use an index either way.
std::string search_clause(Params& params, const std::string& search) {
    if (search.starts_with('@')) {
        return fmt::format(
            "c.id IN (SELECT r.complaint_id FROM complaint_recipients r WHERE lower(r.key) LIKE "
            "{} ESCAPE '\\')",
            params.add("%" + literal_like(search)));
    }
    auto pattern = params.add("%" + literal_like(search) + "%");
    return fmt::format(
        "c.id IN (SELECT r.complaint_id FROM complaint_recipients r WHERE lower(r.address) LIKE "
        "{0} ESCAPE '\\' OR lower(r.key) LIKE {0} ESCAPE '\\')",
        pattern);
}

std::string where(const Dialect& dialect, Params& params, const ComplaintQuery& query) {
    std::vector<std::string> terms;
    if (query.since) {
        terms.push_back("c.received_at >= " + params.add(to_micros(*query.since)));
    }
    if (query.until) {
        terms.push_back("c.received_at < " + params.add(to_micros(*query.until)));
    }
    if (!query.mailing_id.empty()) {
        terms.push_back("c.mailing_id = " + params.add(query.mailing_id));
    }
    if (!query.provider.empty()) {
        terms.push_back("c.provider = " + params.add(query.provider));
    }
    if (query.channel) {
        terms.push_back("c.channel = " + params.add(to_string(*query.channel)));
    }
    if (query.trusted) {
        terms.push_back("c.trusted = " + params.add(std::int64_t{*query.trusted}));
    }
    if (!query.search.empty()) {
        terms.push_back(search_clause(params, query.search));
    }
    if (!query.ids.empty()) {
        terms.push_back(ids_clause(dialect, params, query.ids));
    }
    std::string clause;
    for (const auto& term : terms) {
        clause += (clause.empty() ? " WHERE " : " AND ") + term;
    }
    return clause;
}

std::string recipients_expression(const Dialect& dialect) {
    if (dialect.postgres) {
        return "(SELECT coalesce(json_agg(r.address ORDER BY r.position), '[]')::text FROM "
               "complaint_recipients r WHERE r.complaint_id = c.id)";
    }
    return "(SELECT json_group_array(address) FROM (SELECT r.address FROM complaint_recipients r "
           "WHERE r.complaint_id = c.id ORDER BY r.position))";
}

// CrmState's values in declaration order: none, queued, done, dead, not_found.
constexpr const char* kCrmState =
    "(SELECT CASE WHEN count(*) = 0 THEN 0 "
    "WHEN sum(CASE WHEN o.state = 'dead' THEN 1 ELSE 0 END) > 0 THEN 3 "
    "WHEN sum(CASE WHEN o.state IN ('pending', 'leased') THEN 1 ELSE 0 END) > 0 THEN 1 "
    "WHEN sum(o.not_found) > 0 THEN 4 ELSE 2 END FROM outbox o WHERE o.complaint_id = c.id)";

std::int64_t since_micros(std::optional<TimePoint> since) {
    return since ? to_micros(*since) : std::numeric_limits<std::int64_t>::min();
}

std::string day_of(const Dialect& dialect, const char* column) {
    if (dialect.postgres) {
        return fmt::format("to_char(to_timestamp({} / 1000000) AT TIME ZONE 'UTC', 'YYYY-MM-DD')",
                           column);
    }
    return fmt::format("strftime('%Y-%m-%d', {} / 1000000, 'unixepoch')", column);
}

double rate(const MailingStats& stats) {
    if (stats.sends == 0) {
        return stats.complaints > 0 ? std::numeric_limits<double>::infinity() : 0.0;
    }
    return static_cast<double>(stats.complaints) / static_cast<double>(stats.sends);
}

}  // namespace

void check(const ComplaintQuery& query) {
    if (query.ids.size() > kMaxQueryIds) {
        throw std::invalid_argument(fmt::format("a selection holds at most {} complaints, not {}",
                                                kMaxQueryIds, query.ids.size()));
    }
    if (query.search.size() > kMaxSearchLength) {
        throw std::invalid_argument(
            fmt::format("a search holds at most {} characters", kMaxSearchLength));
    }
}

int checked_limit(int limit, int most) {
    if (limit < 1 || limit > most) {
        throw std::invalid_argument(fmt::format("a page holds 1 to {} rows, not {}", most, limit));
    }
    return limit;
}

Sql complaint_select(const Dialect& dialect, const ComplaintQuery& query, const ComplaintSort& sort,
                     const std::optional<ComplaintCursor>& after, std::optional<int> limit) {
    check(query);
    Params params(dialect);
    std::string clause = where(dialect, params, query);
    const char* column = sort_expression(sort.column);
    const char* direction = sort.descending ? "DESC" : "ASC";
    if (after) {
        SqlValue value = after->value;
        if (sort.column == ComplaintColumn::received_at) {
            value = micros_of(after->value);
        }
        clause +=
            fmt::format("{} ({}, c.id) {} ({}, {})", clause.empty() ? " WHERE" : " AND", column,
                        sort.descending ? "<" : ">", params.add(value), params.add(after->id));
    }
    std::string order = fmt::format("ORDER BY {0} {1}, c.id {1}", column, direction);
    std::string rows = clause;
    if (limit) {
        // The page's ids first, then their recipients and CRM state: a
        // sort that no index gives (a filter on another column) must not
        // compute those for every matching row before it keeps a page.
        rows = fmt::format(" WHERE c.id IN (SELECT c.id FROM complaints c{} {} LIMIT {})", clause,
                           order, params.add(std::int64_t{*limit}));
    }
    std::string text = fmt::format(
        "SELECT c.id, c.received_at, c.channel, c.kind, c.feedback_type, c.provider, "
        "c.mailing_id, c.original_subject, c.trusted, c.trust_reason, {recipients}, {crm}, "
        "{column} FROM complaints c{rows} {order}",
        fmt::arg("recipients", recipients_expression(dialect)), fmt::arg("crm", kCrmState),
        fmt::arg("column", column), fmt::arg("rows", rows), fmt::arg("order", order));
    return {text, params.take()};
}

Sql complaint_count(const Dialect& dialect, const ComplaintQuery& query, std::int64_t cap) {
    check(query);
    Params params(dialect);
    std::string clause = where(dialect, params, query);
    std::string text =
        fmt::format("SELECT count(*) FROM (SELECT 1 FROM complaints c{} LIMIT {}) AS capped",
                    clause, params.add(std::max<std::int64_t>(cap, 0)));
    return {text, params.take()};
}

std::vector<std::string> recipients_from_json(const std::string& json) {
    auto parsed = nlohmann::json::parse(json, nullptr, false);
    std::vector<std::string> addresses;
    if (parsed.is_array()) {
        for (const auto& address : parsed) {
            if (address.is_string()) {
                addresses.push_back(address.get<std::string>());
            }
        }
    }
    return addresses;
}

CrmState crm_state_from(std::int64_t code) {
    if (code < 0 || code > static_cast<std::int64_t>(CrmState::not_found)) {
        return CrmState::none;
    }
    return static_cast<CrmState>(code);
}

Sql sends_per_mailing(const Dialect& dialect, std::optional<TimePoint> since) {
    Params params(dialect);
    auto text = fmt::format(
        "SELECT mailing_id, count(*) FROM send_log WHERE sent_at >= {} GROUP BY mailing_id",
        params.add(since_micros(since)));
    return {text, params.take()};
}

Sql reports_per_mailing_and_provider(const Dialect& dialect, std::optional<TimePoint> since) {
    Params params(dialect);
    auto text = fmt::format(
        "SELECT mailing_id, provider, "
        "sum(CASE WHEN trusted = 1 AND kind = 'complaint' THEN 1 ELSE 0 END), "
        "sum(CASE WHEN trusted = 1 AND kind = 'unsubscribe' THEN 1 ELSE 0 END), "
        "sum(CASE WHEN trusted = 0 THEN 1 ELSE 0 END) "
        "FROM complaints WHERE received_at >= {} GROUP BY mailing_id, provider",
        params.add(since_micros(since)));
    return {text, params.take()};
}

Sql not_in_crm_per_mailing(const Dialect& dialect, std::optional<TimePoint> since) {
    Params params(dialect);
    // Few jobs end "not found": start from them (a partial index), not from
    // every complaint.
    auto text = fmt::format(
        "SELECT c.mailing_id, count(*) FROM complaints c WHERE c.id IN (SELECT complaint_id FROM "
        "outbox WHERE not_found = 1) AND c.trusted = 1 AND c.kind = 'complaint' AND "
        "c.received_at >= {} AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.complaint_id = c.id "
        "AND o.state <> 'done') GROUP BY c.mailing_id",
        params.add(since_micros(since)));
    return {text, params.take()};
}

std::vector<MailingStats> merge_mailing_stats(const Counts& sends,
                                              const std::vector<ProviderCounts>& reports,
                                              const Counts& not_in_crm) {
    std::map<std::string, MailingStats> by_mailing;
    std::map<std::string, std::vector<std::pair<std::string, std::int64_t>>> providers;
    for (const auto& [mailing, count] : sends) {
        by_mailing[mailing].sends = count;
    }
    for (const auto& row : reports) {
        auto& stats = by_mailing[row.mailing_id];
        stats.complaints += row.complaints;
        stats.unsubscribes += row.unsubscribes;
        stats.untrusted += row.untrusted;
        if (row.complaints > 0) {
            providers[row.mailing_id].emplace_back(row.provider, row.complaints);
        }
    }
    std::vector<MailingStats> result;
    for (auto& [mailing, stats] : by_mailing) {
        stats.mailing_id = mailing;
        if (auto it = not_in_crm.find(mailing); it != not_in_crm.end()) {
            stats.not_in_crm = it->second;
        }
        auto& top = providers[mailing];
        std::sort(top.begin(), top.end(), [](const auto& a, const auto& b) {
            return a.second != b.second ? a.second > b.second : a.first < b.first;
        });
        top.resize(std::min<std::size_t>(top.size(), 3));
        stats.top_providers = std::move(top);
        result.push_back(std::move(stats));
    }
    std::stable_sort(result.begin(), result.end(), [](const auto& a, const auto& b) {
        double left = rate(a), right = rate(b);
        return left != right ? left > right : a.complaints > b.complaints;
    });
    return result;
}

Sql sends_per_day(const Dialect& dialect, const std::optional<std::string>& mailing_id,
                  TimePoint since) {
    Params params(dialect);
    std::string text = fmt::format("SELECT {} AS day, count(*) FROM send_log WHERE sent_at >= {}",
                                   day_of(dialect, "sent_at"), params.add(to_micros(since)));
    if (mailing_id) {
        text += " AND mailing_id = " + params.add(*mailing_id);
    }
    return {text + " GROUP BY day", params.take()};
}

Sql complaints_per_day(const Dialect& dialect, const std::optional<std::string>& mailing_id,
                       TimePoint since) {
    Params params(dialect);
    std::string text = fmt::format(
        "SELECT {} AS day, count(*) FROM complaints WHERE received_at >= {} AND trusted = 1 AND "
        "kind = 'complaint'",
        day_of(dialect, "received_at"), params.add(to_micros(since)));
    if (mailing_id) {
        text += " AND mailing_id = " + params.add(*mailing_id);
    }
    return {text + " GROUP BY day", params.take()};
}

std::vector<DailyRate> merge_daily_rates(const Counts& sends, const Counts& complaints) {
    std::map<std::string, DailyRate> days;
    for (const auto& [day, count] : sends) {
        days[day].sends = count;
    }
    for (const auto& [day, count] : complaints) {
        days[day].complaints = count;
    }
    std::vector<DailyRate> result;
    for (auto& [day, rate] : days) {
        rate.day = day;
        result.push_back(rate);
    }
    return result;
}

Sql suppression_select(const Dialect& dialect, const std::string& columns,
                       const std::string& search, const std::string& after_key, int limit) {
    if (search.size() > kMaxSearchLength) {
        throw std::invalid_argument(
            fmt::format("a search holds at most {} characters", kMaxSearchLength));
    }
    Params params(dialect);
    std::string text = fmt::format(
        "SELECT {} FROM suppressions WHERE key > {} AND (expires_at IS NULL OR expires_at > {})",
        columns, params.add(after_key), params.add(now_micros()));
    if (!search.empty()) {
        text += fmt::format(
            " AND (lower(key) LIKE {0} ESCAPE '\\' OR lower(address) LIKE {0} ESCAPE '\\')",
            params.add("%" + literal_like(search) + "%"));
    }
    // One more than asked: whether a next page exists.
    text += " ORDER BY key LIMIT " + params.add(std::int64_t{limit} + 1);
    return {text, params.take()};
}

Sql history_select(const Dialect& dialect, const std::string& key) {
    Params params(dialect);
    std::string text = fmt::format(
        "SELECT sequence, changed_at, suppressed, scope, expires_at, actor, reason, note FROM "
        "changes WHERE key = {} ORDER BY sequence DESC LIMIT {}",
        params.add(key), params.add(static_cast<std::int64_t>(kMaxHistoryRows)));
    return {text, params.take()};
}

}  // namespace fbl::store::console
