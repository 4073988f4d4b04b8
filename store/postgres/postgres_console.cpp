// PostgresStore's console reads (issue 17): the SQL is console_sql's.
#include "store/console_sql.h"
#include "store/postgres/postgres_store.h"
#include "store/time_codec.h"

namespace fbl::store {
namespace {

using postgres::Result;

const console::Dialect kPostgres{true};

postgres::Params params_of(const console::Sql& sql) {
    postgres::Params params;
    for (const auto& value : sql.params) {
        if (const auto* integer = std::get_if<std::int64_t>(&value)) {
            params.push_back(std::to_string(*integer));
        } else {
            params.push_back(std::get<std::string>(value));
        }
    }
    return params;
}

Result run(postgres::Connection& connection, const console::Sql& sql) {
    return connection.exec(sql.text, params_of(sql));
}

ComplaintRow read_row(const Result& rows, int row) {
    ComplaintRow complaint;
    complaint.id = rows.integer(row, 0);
    complaint.received_at = from_micros(rows.integer(row, 1));
    complaint.channel = parse_channel(rows.text(row, 2)).value_or(Channel::report);
    complaint.kind = parse_complaint_kind(rows.text(row, 3)).value_or(ComplaintKind::not_a_report);
    complaint.feedback_type = rows.text(row, 4);
    complaint.provider = rows.text(row, 5);
    complaint.mailing_id = rows.text(row, 6);
    complaint.subject = rows.text(row, 7);
    complaint.trusted = rows.integer(row, 8) != 0;
    complaint.trust_reason = rows.text(row, 9);
    complaint.recipients = console::recipients_from_json(rows.text(row, 10));
    complaint.crm = console::crm_state_from(rows.integer(row, 11));
    return complaint;
}

std::map<std::string, std::int64_t> counts_of(const Result& rows) {
    std::map<std::string, std::int64_t> counts;
    for (int row = 0; row < rows.rows(); ++row) {
        counts[rows.text(row, 0)] = rows.integer(row, 1);
    }
    return counts;
}

// Reads in one snapshot until the transaction ends.
void begin_snapshot(postgres::Connection& connection) {
    connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY");
}

}  // namespace

ComplaintPage PostgresStore::complaint_page(const ComplaintQuery& query, const ComplaintSort& sort,
                                            const std::optional<ComplaintCursor>& after,
                                            int limit) {
    int wanted = console::checked_limit(limit, kMaxPageRows);
    // One more than asked tells whether a next page exists.
    auto sql = console::complaint_select(kPostgres, query, sort, after, wanted + 1);
    std::lock_guard lock(mutex_);
    auto rows = run(connection_, sql);
    ComplaintPage page;
    for (int row = 0; row < rows.rows() && row < wanted; ++row) {
        page.rows.push_back(read_row(rows, row));
    }
    if (rows.rows() > wanted) {
        page.next = ComplaintCursor{rows.text(wanted - 1, 12), page.rows.back().id};
    }
    return page;
}

std::int64_t PostgresStore::count_complaints(const ComplaintQuery& query, std::int64_t cap) {
    auto sql = console::complaint_count(kPostgres, query, cap);
    std::lock_guard lock(mutex_);
    return run(connection_, sql).integer(0, 0);
}

void PostgresStore::each_complaint(const ComplaintQuery& query, const ComplaintSort& sort,
                                   const ComplaintVisitor& visit) {
    auto sql = console::complaint_select(kPostgres, query, sort, std::nullopt, std::nullopt);
    postgres::Connection session(settings_);
    postgres::Transaction transaction(session);
    begin_snapshot(session);
    session.exec("DECLARE fbl_export NO SCROLL CURSOR FOR " + sql.text, params_of(sql));
    for (;;) {
        auto rows = session.exec("FETCH 1000 FROM fbl_export");
        if (rows.rows() == 0) {
            break;
        }
        for (int row = 0; row < rows.rows(); ++row) {
            visit(read_row(rows, row));
        }
    }
    transaction.commit();
}

std::vector<MailingStats> PostgresStore::mailing_stats(std::optional<TimePoint> since) {
    std::lock_guard lock(mutex_);
    postgres::Transaction transaction(connection_);
    begin_snapshot(connection_);
    auto sends = counts_of(run(connection_, console::sends_per_mailing(kPostgres, since)));
    std::vector<console::ProviderCounts> reports;
    auto rows = run(connection_, console::reports_per_mailing_and_provider(kPostgres, since));
    for (int row = 0; row < rows.rows(); ++row) {
        reports.push_back({rows.text(row, 0), rows.text(row, 1), rows.integer(row, 2),
                           rows.integer(row, 3), rows.integer(row, 4)});
    }
    auto not_in_crm =
        counts_of(run(connection_, console::not_in_crm_per_mailing(kPostgres, since)));
    transaction.commit();
    return console::merge_mailing_stats(sends, reports, not_in_crm);
}

std::vector<DailyRate> PostgresStore::daily_rates(const std::optional<std::string>& mailing_id,
                                                  TimePoint since) {
    std::lock_guard lock(mutex_);
    postgres::Transaction transaction(connection_);
    begin_snapshot(connection_);
    auto sends = counts_of(run(connection_, console::sends_per_day(kPostgres, mailing_id, since)));
    auto complaints =
        counts_of(run(connection_, console::complaints_per_day(kPostgres, mailing_id, since)));
    transaction.commit();
    return console::merge_daily_rates(sends, complaints);
}

SuppressionPage PostgresStore::suppression_page(const std::string& search,
                                                const std::string& after_key, int limit) {
    int wanted = console::checked_limit(limit, kMaxPageRows);
    auto sql = console::suppression_select(kPostgres, postgres::kSuppressionColumns, search,
                                           after_key, wanted);
    std::lock_guard lock(mutex_);
    auto rows = run(connection_, sql);
    SuppressionPage page;
    for (int row = 0; row < rows.rows() && row < wanted; ++row) {
        page.rows.push_back(postgres::read_suppression(rows, row));
    }
    if (rows.rows() > wanted) {
        page.next_key = page.rows.back().key;
    }
    return page;
}

std::vector<SuppressionChange> PostgresStore::history(const std::string& key) {
    auto sql = console::history_select(kPostgres, key);
    std::lock_guard lock(mutex_);
    auto rows = run(connection_, sql);
    std::vector<SuppressionChange> changes;
    for (int row = 0; row < rows.rows(); ++row) {
        SuppressionChange change;
        change.sequence = rows.integer(row, 0);
        change.changed_at = from_micros(rows.integer(row, 1));
        change.suppressed = rows.integer(row, 2) != 0;
        change.scope = parse_scope(rows.text(row, 3)).value_or(Scope::all);
        change.expires_at = optional_from_micros(rows.optional_integer(row, 4));
        change.actor = rows.text(row, 5);
        change.reason = rows.text(row, 6);
        change.note = rows.text(row, 7);
        changes.push_back(std::move(change));
    }
    return changes;
}

}  // namespace fbl::store
