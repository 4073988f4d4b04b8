// SqliteStore's console reads (issue 17): the SQL is console_sql's.
#include "store/console_sql.h"
#include "store/sqlite/sqlite_store.h"
#include "store/time_codec.h"

namespace fbl::store {
namespace {

using sqlite::Statement;

const console::Dialect kSqlite{false};

Statement prepared(sqlite::Connection& connection, const console::Sql& sql) {
    auto statement = connection.prepare(sql.text);
    int index = 1;
    for (const auto& value : sql.params) {
        if (const auto* integer = std::get_if<std::int64_t>(&value)) {
            statement.bind(index, *integer);
        } else {
            statement.bind(index, std::string_view(std::get<std::string>(value)));
        }
        ++index;
    }
    return statement;
}

ComplaintRow read_row(const Statement& row) {
    ComplaintRow complaint;
    complaint.id = row.integer(0);
    complaint.received_at = from_micros(row.integer(1));
    complaint.channel = parse_channel(row.text(2)).value_or(Channel::report);
    complaint.kind = parse_complaint_kind(row.text(3)).value_or(ComplaintKind::not_a_report);
    complaint.feedback_type = row.text(4);
    complaint.provider = row.text(5);
    complaint.mailing_id = row.text(6);
    complaint.subject = row.text(7);
    complaint.trusted = row.integer(8) != 0;
    complaint.trust_reason = row.text(9);
    complaint.recipients = console::recipients_from_json(row.text(10));
    complaint.crm = console::crm_state_from(row.integer(11));
    return complaint;
}

}  // namespace

std::map<std::string, std::int64_t> SqliteStore::counts_of(sqlite::Connection& connection,
                                                           const console::Sql& sql) {
    auto statement = prepared(connection, sql);
    std::map<std::string, std::int64_t> counts;
    while (statement.step()) {
        counts[statement.text(0)] = statement.integer(1);
    }
    return counts;
}

ComplaintPage SqliteStore::complaint_page(const ComplaintQuery& query, const ComplaintSort& sort,
                                          const std::optional<ComplaintCursor>& after, int limit) {
    int rows = console::checked_limit(limit, kMaxPageRows);
    // One more than asked tells whether a next page exists.
    auto sql = console::complaint_select(kSqlite, query, sort, after, rows + 1);
    std::lock_guard lock(reader_mutex_);
    auto statement = prepared(reader_, sql);
    ComplaintPage page;
    std::string last_value;
    while (statement.step()) {
        if (static_cast<int>(page.rows.size()) == rows) {
            page.next = ComplaintCursor{last_value, page.rows.back().id};
            break;
        }
        page.rows.push_back(read_row(statement));
        last_value = statement.text(12);
    }
    return page;
}

std::int64_t SqliteStore::count_complaints(const ComplaintQuery& query, std::int64_t cap) {
    auto sql = console::complaint_count(kSqlite, query, cap);
    std::lock_guard lock(reader_mutex_);
    auto statement = prepared(reader_, sql);
    statement.step();
    return statement.integer(0);
}

// A connection of its own: an export of a million rows takes seconds, and
// the console's other pages (and the milter's reads) must not wait for it.
void SqliteStore::each_complaint(const ComplaintQuery& query, const ComplaintSort& sort,
                                 const ComplaintVisitor& visit) {
    auto sql = console::complaint_select(kSqlite, query, sort, std::nullopt, std::nullopt);
    sqlite::Connection connection(settings_.path, settings_.busy_timeout);
    sqlite::ReadTransaction snapshot(connection);
    auto statement = prepared(connection, sql);
    while (statement.step()) {
        visit(read_row(statement));
    }
}

std::vector<MailingStats> SqliteStore::mailing_stats(std::optional<TimePoint> since) {
    std::lock_guard lock(reader_mutex_);
    sqlite::ReadTransaction snapshot(reader_);
    auto sends = counts_of(reader_, console::sends_per_mailing(kSqlite, since));
    std::vector<console::ProviderCounts> reports;
    auto rows = prepared(reader_, console::reports_per_mailing_and_provider(kSqlite, since));
    while (rows.step()) {
        reports.push_back(
            {rows.text(0), rows.text(1), rows.integer(2), rows.integer(3), rows.integer(4)});
    }
    auto not_in_crm = counts_of(reader_, console::not_in_crm_per_mailing(kSqlite, since));
    return console::merge_mailing_stats(sends, reports, not_in_crm);
}

std::vector<DailyRate> SqliteStore::daily_rates(const std::optional<std::string>& mailing_id,
                                                TimePoint since) {
    std::lock_guard lock(reader_mutex_);
    sqlite::ReadTransaction snapshot(reader_);
    auto sends = counts_of(reader_, console::sends_per_day(kSqlite, mailing_id, since));
    auto complaints = counts_of(reader_, console::complaints_per_day(kSqlite, mailing_id, since));
    return console::merge_daily_rates(sends, complaints);
}

SuppressionPage SqliteStore::suppression_page(const std::string& search,
                                              const std::string& after_key, int limit) {
    int rows = console::checked_limit(limit, kMaxPageRows);
    auto sql =
        console::suppression_select(kSqlite, sqlite::kSuppressionColumns, search, after_key, rows);
    std::lock_guard lock(reader_mutex_);
    auto statement = prepared(reader_, sql);
    SuppressionPage page;
    while (statement.step()) {
        if (static_cast<int>(page.rows.size()) == rows) {
            page.next_key = page.rows.back().key;
            break;
        }
        page.rows.push_back(sqlite::read_suppression(statement));
    }
    return page;
}

std::vector<SuppressionChange> SqliteStore::history(const std::string& key) {
    auto sql = console::history_select(kSqlite, key);
    std::lock_guard lock(reader_mutex_);
    auto statement = prepared(reader_, sql);
    std::vector<SuppressionChange> changes;
    while (statement.step()) {
        SuppressionChange change;
        change.sequence = statement.integer(0);
        change.changed_at = from_micros(statement.integer(1));
        change.suppressed = statement.integer(2) != 0;
        change.scope = parse_scope(statement.text(3)).value_or(Scope::all);
        change.expires_at = optional_from_micros(statement.optional_integer(4));
        change.actor = statement.text(5);
        change.reason = statement.text(6);
        change.note = statement.text(7);
        changes.push_back(std::move(change));
    }
    return changes;
}

}  // namespace fbl::store
