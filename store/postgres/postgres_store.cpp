#include "store/postgres/postgres_store.h"

#include <algorithm>
#include <cstdlib>
#include <limits>
#include <set>
#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <pwd.h>
#include <unistd.h>

#include "store/complaint_plan.h"
#include "store/postgres/postgres_schema.h"
#include "store/store_support.h"
#include "store/time_codec.h"

namespace fbl::store {

namespace postgres {

const char* const kSuppressionColumns =
    "key, address, reason, scope, source, mailing_id, first_at, last_at, count, expires_at, note";

Suppression read_suppression(const Result& rows, int row) {
    Suppression entry;
    entry.key = rows.text(row, 0);
    entry.address = rows.text(row, 1);
    entry.reason = parse_reason(rows.text(row, 2)).value_or(Reason::manual);
    entry.scope = parse_scope(rows.text(row, 3)).value_or(Scope::all);
    entry.source = rows.text(row, 4);
    entry.mailing_id = rows.text(row, 5);
    entry.first_at = from_micros(rows.integer(row, 6));
    entry.last_at = from_micros(rows.integer(row, 7));
    entry.count = rows.integer(row, 8);
    entry.expires_at = optional_from_micros(rows.optional_integer(row, 9));
    entry.note = rows.text(row, 10);
    return entry;
}

}  // namespace postgres

namespace {

using postgres::kSuppressionColumns;
using postgres::read_suppression;

using postgres::param;
using postgres::Params;
using postgres::Result;
using postgres::Transaction;

// Serialises the writers of `changes` (the lock is held to COMMIT). Without
// it a BIGSERIAL number drawn by transaction T1 could commit after T2's
// larger one; a follower that already read T2's row and moved its cursor
// past it would never see T1's. With it, numbers are drawn and committed in
// one order, so `sequence > last` is a complete catch-up.
constexpr const char* kChangesLock = "SELECT pg_advisory_xact_lock(7305002)";
// Woken followers on other nodes re-read the feed; delivered at COMMIT.
constexpr const char* kNotify = "NOTIFY fbl_changes";

constexpr const char* kOutboxColumns =
    "id, adapter, idempotency_key, payload_json, state, attempts, created_at, next_attempt_at, "
    "lease_until, last_error, last_response";

OutboxJob read_job(const Result& rows, int row) {
    OutboxJob job;
    job.id = rows.integer(row, 0);
    job.adapter = rows.text(row, 1);
    job.idempotency_key = rows.text(row, 2);
    job.payload_json = rows.text(row, 3);
    job.state = parse_job_state(rows.text(row, 4)).value_or(JobState::dead);
    job.attempts = static_cast<int>(rows.integer(row, 5));
    job.created_at = from_micros(rows.integer(row, 6));
    job.next_attempt_at = from_micros(rows.integer(row, 7));
    job.lease_until = optional_from_micros(rows.optional_integer(row, 8));
    job.last_error = rows.text(row, 9);
    job.last_response = rows.text(row, 10);
    return job;
}

std::vector<OutboxJob> read_jobs(const Result& rows) {
    std::vector<OutboxJob> jobs;
    for (int row = 0; row < rows.rows(); ++row) {
        jobs.push_back(read_job(rows, row));
    }
    return jobs;
}

constexpr const char* kComplaintColumns =
    "id, dedup_key, received_at, kind, feedback_type, provider, user_agent, arrival_date, "
    "source_ip, original_message_id, original_mail_from, original_subject, mailing_id, trusted, "
    "trust_reason, unresolved, redacted, report_json, channel";

Complaint read_complaint(const Result& rows, int row) {
    Complaint complaint;
    complaint.id = rows.integer(row, 0);
    complaint.dedup_key = rows.text(row, 1);
    complaint.received_at = from_micros(rows.integer(row, 2));
    complaint.kind = parse_complaint_kind(rows.text(row, 3)).value_or(ComplaintKind::not_a_report);
    complaint.feedback_type = rows.text(row, 4);
    complaint.provider = rows.text(row, 5);
    complaint.user_agent = rows.text(row, 6);
    complaint.arrival_date = optional_from_micros(rows.optional_integer(row, 7));
    complaint.source_ip = rows.text(row, 8);
    complaint.original_message_id = rows.text(row, 9);
    complaint.original_mail_from = rows.text(row, 10);
    complaint.original_subject = rows.text(row, 11);
    complaint.mailing_id = rows.text(row, 12);
    complaint.trusted = rows.integer(row, 13) != 0;
    complaint.trust_reason = rows.text(row, 14);
    complaint.unresolved = rows.integer(row, 15) != 0;
    complaint.redacted = rows.integer(row, 16) != 0;
    complaint.report_json = rows.text(row, 17);
    complaint.channel = parse_channel(rows.text(row, 18)).value_or(Channel::report);
    return complaint;
}

// An existing row whose expiry has passed counts as absent: a new
// suppression starts afresh instead of inheriting its history.
constexpr const char* kExpired =
    "(suppressions.expires_at IS NOT NULL AND suppressions.expires_at <= $12::bigint)";

// Same merge rules as SqliteStore's upsert_sql: a widening merge (complaints)
// never narrows the scope nor shortens the expiry of a live entry.
std::string upsert_sql(bool widen) {
    std::string scope =
        widen ? fmt::format(
                    "CASE WHEN {0} THEN excluded.scope WHEN suppressions.scope = 'all' OR "
                    "excluded.scope = 'all' THEN 'all' ELSE 'marketing' END",
                    kExpired)
              : "excluded.scope";
    std::string expiry =
        widen ? fmt::format(
                    "CASE WHEN {0} THEN excluded.expires_at WHEN suppressions.expires_at "
                    "IS NULL OR excluded.expires_at IS NULL THEN NULL ELSE "
                    "GREATEST(suppressions.expires_at, excluded.expires_at) END",
                    kExpired)
              : "excluded.expires_at";
    return fmt::format(
        "INSERT INTO suppressions ({cols}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, "
        "$10::bigint, $11) ON CONFLICT (key) DO UPDATE SET "
        "address = CASE WHEN {exp} THEN excluded.address ELSE suppressions.address END, "
        "first_at = CASE WHEN {exp} THEN excluded.first_at ELSE suppressions.first_at END, "
        "count = CASE WHEN {exp} THEN excluded.count ELSE suppressions.count + excluded.count END, "
        "last_at = GREATEST(suppressions.last_at, excluded.last_at), "
        "reason = excluded.reason, source = excluded.source, "
        "mailing_id = CASE WHEN excluded.mailing_id <> '' THEN excluded.mailing_id ELSE "
        "suppressions.mailing_id END, "
        "note = CASE WHEN excluded.note <> '' THEN excluded.note ELSE suppressions.note END, "
        "scope = {scope}, expires_at = {expiry} RETURNING scope, expires_at, reason",
        fmt::arg("cols", kSuppressionColumns), fmt::arg("exp", kExpired), fmt::arg("scope", scope),
        fmt::arg("expiry", expiry));
}

}  // namespace

PostgresStore::PostgresStore(const config::PostgresSettings& settings)
    : settings_(settings), actor_(current_actor()), connection_(settings), listener_(settings) {
    postgres::migrate(connection_);
}

bool PostgresStore::wait_for_change(std::chrono::milliseconds timeout) {
    std::lock_guard lock(listener_mutex_);
    if (!listener_.connected()) {
        listening_ = false;
    }
    if (!listening_) {
        listener_.execute("LISTEN fbl_changes");
        listening_ = true;
        return true;  // notifications sent before this one were not heard
    }
    try {
        return listener_.wait_for_notification(timeout);
    } catch (const StoreUnavailable&) {
        listening_ = false;
        throw;
    }
}

void PostgresStore::lock_changes() {
    connection_.execute(kChangesLock);
}

void PostgresStore::insert_change(const std::string& key, bool suppressed, const std::string& scope,
                                  std::optional<std::int64_t> expires_at, std::int64_t now,
                                  const std::string& actor, const std::string& reason,
                                  const std::string& note) {
    connection_.exec(
        "INSERT INTO changes (key, suppressed, scope, expires_at, changed_at, actor, reason, "
        "note) VALUES ($1, $2, $3, $4::bigint, $5, $6, $7, $8)",
        {key, param(std::int64_t{suppressed ? 1 : 0}), scope, param(expires_at), param(now), actor,
         reason, note});
}

void PostgresStore::upsert(const Suppression& entry, Merge merge, std::int64_t now,
                           const std::string& actor) {
    if (entry.key.empty()) {
        throw std::invalid_argument("a suppression needs a key");
    }
    std::int64_t first = entry.first_at == TimePoint{} ? now : to_micros(entry.first_at);
    std::int64_t last = entry.last_at == TimePoint{} ? first : to_micros(entry.last_at);
    static const std::string replace = upsert_sql(false);
    static const std::string widen = upsert_sql(true);
    auto row = connection_.exec(
        merge == Merge::widen ? widen : replace,
        {entry.key, entry.address.empty() ? entry.key : entry.address, to_string(entry.reason),
         to_string(entry.scope), entry.source, entry.mailing_id, param(first), param(last),
         param(std::max<std::int64_t>(entry.count, 1)), param(optional_to_micros(entry.expires_at)),
         entry.note, param(now)});
    insert_change(entry.key, true, row.text(0, 0), row.optional_integer(0, 1), now, actor,
                  row.text(0, 2), entry.note);
}

void PostgresStore::add(const Suppression& entry) {
    add_all({entry});
}

void PostgresStore::add(const Suppression& entry, const Actor& actor) {
    add_all_as({entry}, actor.name);
}

void PostgresStore::add_all(const std::vector<Suppression>& entries) {
    add_all_as(entries, actor_);
}

void PostgresStore::add_all_as(const std::vector<Suppression>& entries, const std::string& actor) {
    std::lock_guard lock(mutex_);
    std::int64_t now = now_micros();
    auto ordered = in_key_order(entries);
    Transaction transaction(connection_);
    lock_changes();
    for (const auto* entry : ordered) {
        upsert(*entry, Merge::replace, now, actor);
    }
    connection_.execute(kNotify);
    transaction.commit();
}

bool PostgresStore::remove(const std::string& key, const std::string& note) {
    return remove(key, note, Actor{actor_});
}

bool PostgresStore::remove(const std::string& key, const std::string& note, const Actor& actor) {
    std::lock_guard lock(mutex_);
    std::int64_t now = now_micros();
    Transaction transaction(connection_);
    lock_changes();
    auto current = connection_.exec(
        "DELETE FROM suppressions WHERE key = $1 RETURNING scope, "
        "(expires_at IS NULL OR expires_at > $2::bigint)::int",
        {key, param(now)});
    if (current.rows() == 0) {
        return false;
    }
    bool was_active = current.integer(0, 1) != 0;
    insert_change(key, false, current.text(0, 0), std::nullopt, now, actor.name, "", note);
    connection_.execute(kNotify);
    transaction.commit();
    return was_active;
}

std::optional<Suppression> PostgresStore::find(const std::string& key) {
    std::lock_guard lock(mutex_);
    auto rows = connection_.exec(
        fmt::format("SELECT {} FROM suppressions WHERE key = $1 AND (expires_at IS NULL OR "
                    "expires_at > $2::bigint)",
                    kSuppressionColumns),
        {key, param(now_micros())});
    if (rows.rows() == 0) {
        return std::nullopt;
    }
    return read_suppression(rows, 0);
}

std::vector<Suppression> PostgresStore::list(const SuppressionFilter& filter) {
    std::lock_guard lock(mutex_);
    Params params{
        param(now_micros()),
        filter.reason ? std::optional<std::string>(to_string(*filter.reason)) : std::nullopt,
        param(optional_to_micros(filter.since)), filter.mailing_id};
    auto rows = connection_.exec(
        fmt::format("SELECT {} FROM suppressions WHERE (expires_at IS NULL OR expires_at > "
                    "$1::bigint) AND ($2::text IS NULL OR reason = $2::text) AND ($3::bigint IS "
                    "NULL OR first_at >= $3::bigint) AND ($4::text = '' OR mailing_id = $4::text) "
                    "ORDER BY first_at, key",
                    kSuppressionColumns),
        params);
    std::vector<Suppression> entries;
    for (int row = 0; row < rows.rows(); ++row) {
        entries.push_back(read_suppression(rows, row));
    }
    return entries;
}

RecordResult PostgresStore::record_complaint(const Complaint& complaint, Scope scope,
                                             const std::optional<TimePoint>& expires_at,
                                             const std::vector<OutboxJob>& jobs) {
    std::lock_guard lock(mutex_);
    Transaction transaction(connection_);
    RecordResult result = record_in_transaction(complaint, scope, expires_at, jobs, now_micros());
    transaction.commit();
    return result;
}

std::vector<RecordResult> PostgresStore::record_complaints(
    const std::vector<ComplaintRecord>& batch) {
    std::lock_guard lock(mutex_);
    Transaction transaction(connection_);
    std::int64_t now = now_micros();
    std::vector<RecordResult> results;
    results.reserve(batch.size());
    for (const ComplaintRecord& record : batch) {
        results.push_back(record_in_transaction(record.complaint, record.scope, record.expires_at,
                                                record.jobs, now));
    }
    transaction.commit();
    return results;
}

RecordResult PostgresStore::record_in_transaction(const Complaint& complaint, Scope scope,
                                                  const std::optional<TimePoint>& expires_at,
                                                  const std::vector<OutboxJob>& jobs,
                                                  std::int64_t now) {
    if (complaint.dedup_key.empty()) {
        throw std::invalid_argument("a complaint needs a dedup key");
    }
    RecordResult result;

    std::int64_t received =
        complaint.received_at == TimePoint{} ? now : to_micros(complaint.received_at);
    // ON CONFLICT DO NOTHING: a second node recording the same report at the
    // same moment waits for the first and then sees a duplicate.
    auto inserted = connection_.exec(
        "INSERT INTO complaints (dedup_key, received_at, kind, feedback_type, provider, "
        "user_agent, arrival_date, source_ip, original_message_id, original_mail_from, "
        "original_subject, mailing_id, trusted, trust_reason, unresolved, redacted, report_json, "
        "raw_report, channel, recipient_key) VALUES ($1, $2, $3, $4, $5, $6, $7::bigint, $8, $9, "
        "$10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20) ON CONFLICT (dedup_key) DO NOTHING "
        "RETURNING id",
        {complaint.dedup_key,
         param(received),
         to_string(complaint.kind),
         complaint.feedback_type,
         complaint.provider,
         complaint.user_agent,
         param(optional_to_micros(complaint.arrival_date)),
         complaint.source_ip,
         complaint.original_message_id,
         complaint.original_mail_from,
         complaint.original_subject,
         complaint.mailing_id,
         param(std::int64_t{complaint.trusted}),
         complaint.trust_reason,
         param(std::int64_t{complaint.unresolved}),
         param(std::int64_t{complaint.redacted}),
         complaint.report_json,
         complaint.raw_report,
         to_string(complaint.channel),
         first_recipient_key(complaint)});
    if (inserted.rows() == 0) {
        auto existing = connection_.exec("SELECT id FROM complaints WHERE dedup_key = $1",
                                         {complaint.dedup_key});
        result.complaint_id = existing.rows() ? existing.integer(0, 0) : 0;
        result.duplicate = true;
        return result;  // nothing was written for it
    }
    result.complaint_id = inserted.integer(0, 0);

    insert_recipients(result.complaint_id, complaint.recipients);
    if (complaint.trusted && complaint.suppresses) {
        apply_effects(result,
                      plan_complaint(complaint, result.complaint_id, from_micros(received), scope,
                                     expires_at, jobs, from_micros(now)),
                      now);
    }
    return result;
}

void PostgresStore::insert_recipients(std::int64_t complaint_id,
                                      const std::vector<ComplaintRecipient>& recipients) {
    for (std::size_t position = 0; position < recipients.size(); ++position) {
        const auto& item = recipients[position];
        connection_.exec(
            "INSERT INTO complaint_recipients (complaint_id, position, key, address, evidence) "
            "VALUES ($1, $2, $3, $4, $5)",
            {param(complaint_id), param(static_cast<std::int64_t>(position)), item.key,
             item.address, item.evidence});
    }
}

void PostgresStore::apply_effects(RecordResult& result, const ComplaintPlan& plan,
                                  std::int64_t now) {
    lock_changes();
    for (const Suppression& entry : plan.suppressions) {
        upsert(entry, Merge::widen, now, actor_);
        ++result.suppressed;
    }
    if (result.suppressed > 0) {
        connection_.execute(kNotify);
    }
    for (const OutboxJob& job : plan.jobs) {
        const std::string& idempotency = job.idempotency_key;
        auto row = connection_.exec(
            "INSERT INTO outbox (complaint_id, adapter, idempotency_key, payload_json, state, "
            "attempts, created_at, next_attempt_at, updated_at) VALUES ($1, $2, $3, $4, "
            "'pending', 0, $5, $6, $5) ON CONFLICT (idempotency_key) DO NOTHING",
            {param(result.complaint_id), job.adapter, idempotency, job.payload_json, param(now),
             param(to_micros(job.next_attempt_at))});
        result.jobs += row.affected();
    }
}

std::string PostgresStore::raw_report(std::int64_t complaint_id) {
    std::lock_guard lock(mutex_);
    auto rows =
        connection_.exec("SELECT raw_report FROM complaints WHERE id = $1", {param(complaint_id)});
    return rows.rows() ? rows.text(0, 0) : std::string();
}

RecordResult PostgresStore::promote_complaint(std::int64_t id, const Complaint& evaluated,
                                              Scope scope,
                                              const std::optional<TimePoint>& expires_at,
                                              const std::vector<OutboxJob>& jobs) {
    std::lock_guard lock(mutex_);
    std::int64_t now = now_micros();
    Transaction transaction(connection_);
    RecordResult result;
    result.complaint_id = id;
    // FOR UPDATE: two nodes re-evaluating at once apply the effects once.
    auto current = connection_.exec(
        "SELECT received_at, dedup_key FROM complaints WHERE id = $1 AND trusted = 0 FOR UPDATE",
        {param(id)});
    if (current.rows() == 0) {
        result.duplicate = true;
        return result;
    }
    std::int64_t received = current.integer(0, 0);
    Complaint promoted = evaluated;
    promoted.dedup_key = current.text(0, 1);  // the job keys stay those of the first intake
    connection_.exec(
        "UPDATE complaints SET trusted = 1, raw_report = '', trust_reason = $2, unresolved = $3, "
        "report_json = $4, "
        "mailing_id = $5, recipient_key = $6 WHERE id = $1",
        {param(id), evaluated.trust_reason, param(std::int64_t{evaluated.unresolved}),
         evaluated.report_json, evaluated.mailing_id, first_recipient_key(evaluated)});
    connection_.exec("DELETE FROM complaint_recipients WHERE complaint_id = $1", {param(id)});
    insert_recipients(id, evaluated.recipients);
    if (evaluated.suppresses) {
        apply_effects(result,
                      plan_complaint(promoted, id, from_micros(received), scope, expires_at, jobs,
                                     from_micros(now)),
                      now);
    }
    transaction.commit();
    return result;
}

std::optional<std::string> PostgresStore::key_settings() {
    std::lock_guard lock(mutex_);
    auto rows = connection_.exec("SELECT value FROM store_meta WHERE name = $1",
                                 {std::string(kKeySettingsName)});
    if (rows.rows() == 0) {
        return std::nullopt;
    }
    return rows.text(0, 0);
}

RekeyCounts PostgresStore::rekey(const std::string& settings, const KeyFunction& key_of) {
    std::lock_guard lock(mutex_);
    std::int64_t now = now_micros();
    Transaction transaction(connection_);
    lock_changes();
    RekeyCounts counts;
    std::vector<MovedSuppression> moved;
    {
        auto rows = connection_.exec(
            fmt::format("SELECT {} FROM suppressions FOR UPDATE", kSuppressionColumns));
        for (int row = 0; row < rows.rows(); ++row) {
            Suppression entry = read_suppression(rows, row);
            if (std::string key = key_of(entry.address); key != entry.key) {
                moved.push_back({entry.key, std::move(entry)});
                moved.back().entry.key = std::move(key);
            }
        }
    }
    // All removals first: a new key may be another row's old one.
    for (const auto& item : moved) {
        connection_.exec("DELETE FROM suppressions WHERE key = $1", {item.old_key});
        insert_change(item.old_key, false, to_string(item.entry.scope), std::nullopt, now, actor_,
                      "", rekey_note(item.entry.key));
    }
    for (const auto& item : moved) {
        auto taken =
            connection_.exec("SELECT 1 FROM suppressions WHERE key = $1", {item.entry.key});
        counts.merged += taken.rows() > 0 ? 1 : 0;
        upsert(item.entry, Merge::widen, now, actor_);
    }
    counts.suppressions = static_cast<std::int64_t>(moved.size());
    counts.complaint_recipients = rekey_column("complaint_recipients", "address", "key", key_of);
    if (counts.complaint_recipients > 0) {
        connection_.execute(kRefreshRecipientKeys);
    }
    counts.sends = rekey_column("send_log", "recipient", "recipient_key", key_of);
    connection_.exec(
        "INSERT INTO store_meta (name, value) VALUES ($1, $2) "
        "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        {std::string(kKeySettingsName), settings});
    if (!moved.empty()) {
        connection_.execute(kNotify);
    }
    transaction.commit();
    return counts;
}

// One pass over the distinct addresses, then one UPDATE through a temporary
// map: a per-address UPDATE would scan a large send log once per address.
std::int64_t PostgresStore::rekey_column(const char* table, const char* address_column,
                                         const char* key_column, const KeyFunction& key_of) {
    connection_.execute(
        "CREATE TEMP TABLE IF NOT EXISTS rekey_map (address TEXT PRIMARY KEY, key TEXT NOT NULL) "
        "ON COMMIT DROP");
    connection_.execute("DELETE FROM rekey_map");
    auto rows = connection_.exec(
        fmt::format("SELECT DISTINCT {}, {} FROM {}", address_column, key_column, table));
    for (int row = 0; row < rows.rows(); ++row) {
        std::string address = rows.text(row, 0);
        if (std::string key = key_of(address); key != rows.text(row, 1)) {
            connection_.exec(
                "INSERT INTO rekey_map (address, key) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                {address, key});
        }
    }
    auto updated = connection_.exec(fmt::format(
        "UPDATE {0} SET {2} = rekey_map.key FROM rekey_map WHERE rekey_map.address = {0}.{1} "
        "AND {0}.{2} <> rekey_map.key",
        table, address_column, key_column));
    connection_.execute("DELETE FROM rekey_map");
    return updated.affected();
}

std::vector<Complaint> PostgresStore::complaints(const ComplaintFilter& filter) {
    std::lock_guard lock(mutex_);
    // One snapshot for the complaints and their recipients.
    Transaction transaction(connection_);
    connection_.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY");
    Params params{
        param(optional_to_micros(filter.since)),
        param(optional_to_micros(filter.until)),
        filter.mailing_id,
        filter.provider,
        filter.trusted ? param(std::int64_t{*filter.trusted}) : std::nullopt,
        filter.keys.empty() ? std::nullopt : std::optional(nlohmann::json(filter.keys).dump())};
    auto rows = connection_.exec(
        fmt::format("SELECT {} FROM complaints WHERE ($1::bigint IS NULL OR received_at >= "
                    "$1::bigint) AND ($2::bigint IS NULL OR received_at < $2::bigint) AND "
                    "($3::text = '' OR mailing_id = $3::text) AND ($4::text = '' OR provider = "
                    "$4::text) AND ($5::int IS NULL OR trusted = $5::int) AND ($6::jsonb IS NULL "
                    "OR id IN (SELECT complaint_id FROM complaint_recipients WHERE key IN (SELECT "
                    "jsonb_array_elements_text($6::jsonb)))) ORDER BY received_at, id",
                    kComplaintColumns),
        params);
    std::vector<Complaint> result;
    for (int row = 0; row < rows.rows(); ++row) {
        result.push_back(read_complaint(rows, row));
    }
    for (auto& complaint : result) {
        auto recipients = connection_.exec(
            "SELECT key, address, evidence FROM complaint_recipients WHERE complaint_id = $1 "
            "ORDER BY position",
            {param(complaint.id)});
        for (int row = 0; row < recipients.rows(); ++row) {
            complaint.recipients.push_back(
                {recipients.text(row, 0), recipients.text(row, 1), recipients.text(row, 2)});
        }
    }
    transaction.commit();
    return result;
}

std::int64_t PostgresStore::last_sequence() {
    std::lock_guard lock(mutex_);
    return connection_.exec("SELECT coalesce(max(sequence), 0) FROM changes").integer(0, 0);
}

std::vector<Change> PostgresStore::changes_since(std::int64_t sequence, std::size_t limit) {
    std::lock_guard lock(mutex_);
    auto rows = connection_.exec(
        "SELECT sequence, key, suppressed, scope, expires_at FROM changes WHERE sequence > $1 "
        "ORDER BY sequence LIMIT $2",
        {param(sequence), param(static_cast<std::int64_t>(limit))});
    std::vector<Change> changes;
    changes.reserve(static_cast<std::size_t>(rows.rows()));
    for (int row = 0; row < rows.rows(); ++row) {
        Change change;
        change.sequence = rows.integer(row, 0);
        change.key = rows.text(row, 1);
        change.suppressed = rows.integer(row, 2) != 0;
        change.scope = parse_scope(rows.text(row, 3)).value_or(Scope::all);
        change.expires_at = optional_from_micros(rows.optional_integer(row, 4));
        changes.push_back(std::move(change));
    }
    return changes;
}

void PostgresStore::for_each_key(
    const std::function<void(const std::string& key, Scope scope,
                             const std::optional<TimePoint>& expires)>& visit) {
    std::lock_guard lock(mutex_);
    // One COPY streams ten million keys without holding them in memory and
    // without a round trip per batch; binary, so a key needs no unescaping.
    Transaction transaction(connection_);
    connection_.execute("SET LOCAL statement_timeout = 0");  // the limit is for short queries
    std::string key;
    connection_.copy_out_binary(
        fmt::format("COPY (SELECT key, scope = 'all', expires_at FROM suppressions WHERE "
                    "expires_at IS NULL OR expires_at > {}) TO STDOUT (FORMAT binary)",
                    now_micros()),
        [&](const postgres::Connection::Fields& fields) {
            if (fields.size() != 3 || !fields[0] || !fields[1] || fields[1]->size() != 1 ||
                (fields[2] && fields[2]->size() != 8)) {
                throw StoreCorrupt("postgres: an unexpected suppressions row");
            }
            key.assign(*fields[0]);
            std::optional<TimePoint> expires;
            if (fields[2]) {
                std::uint64_t micros = 0;
                for (unsigned char byte : *fields[2]) {
                    micros = (micros << 8) | byte;
                }
                expires = from_micros(static_cast<std::int64_t>(micros));
            }
            visit(key, (*fields[1])[0] != 0 ? Scope::all : Scope::marketing, expires);
        });
    transaction.commit();
}

std::vector<OutboxJob> PostgresStore::lease_jobs(const std::string& adapter, std::size_t limit,
                                                 std::chrono::seconds lease) {
    std::lock_guard lock(mutex_);
    std::int64_t now = now_micros();
    // SKIP LOCKED: workers on several nodes lease disjoint jobs without
    // waiting for each other; an expired lease makes a job due again.
    auto rows = connection_.exec(
        fmt::format("UPDATE outbox SET state = 'leased', lease_until = $3, attempts = attempts + "
                    "1, updated_at = $2 WHERE id IN (SELECT id FROM outbox WHERE adapter = $1 AND "
                    "((state = 'pending' AND next_attempt_at <= $2) OR (state = 'leased' AND "
                    "lease_until <= $2)) ORDER BY next_attempt_at, id LIMIT $4 FOR UPDATE SKIP "
                    "LOCKED) RETURNING {}",
                    kOutboxColumns),
        {adapter, param(now),
         param(now + std::chrono::duration_cast<std::chrono::microseconds>(lease).count()),
         param(static_cast<std::int64_t>(limit))});
    auto jobs = read_jobs(rows);
    std::sort(jobs.begin(), jobs.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
    return jobs;
}

void PostgresStore::complete_jobs(const std::vector<JobCompletion>& jobs) {
    std::lock_guard lock(mutex_);
    std::int64_t now = now_micros();
    Transaction transaction(connection_);
    for (const auto& job : jobs) {
        connection_.exec(
            "UPDATE outbox SET state = 'done', lease_until = NULL, updated_at = $1, "
            "last_response = $3, not_found = $4 WHERE id = $2",
            {param(now), param(job.id), job.response,
             param(std::int64_t{job.lookup == CrmLookup::not_found})});
    }
    transaction.commit();
}

void PostgresStore::retry_job(std::int64_t id, TimePoint next_attempt, const std::string& error) {
    std::lock_guard lock(mutex_);
    connection_.exec(
        "UPDATE outbox SET state = 'pending', lease_until = NULL, updated_at = $1, "
        "next_attempt_at = $3, last_error = $4 WHERE id = $2",
        {param(now_micros()), param(id), param(to_micros(next_attempt)), error});
}

void PostgresStore::dead_letter_job(std::int64_t id, const std::string& error,
                                    const std::string& response) {
    std::lock_guard lock(mutex_);
    connection_.exec(
        "UPDATE outbox SET state = 'dead', lease_until = NULL, updated_at = $1, last_error = $3, "
        "last_response = $4 WHERE id = $2",
        {param(now_micros()), param(id), error, response});
}

std::vector<OutboxJob> PostgresStore::outbox(std::optional<JobState> state, std::int64_t limit) {
    std::lock_guard lock(mutex_);
    // LIMIT NULL is PostgreSQL's "no limit".
    return read_jobs(connection_.exec(
        fmt::format("SELECT {} FROM outbox WHERE $1::text = '' OR state = $1::text ORDER BY id "
                    "LIMIT $2::bigint",
                    kOutboxColumns),
        {std::string(state ? to_string(*state) : ""),
         limit < 0 ? std::optional<std::string>{} : param(limit)}));
}

std::vector<OutboxCount> PostgresStore::outbox_counts() {
    std::lock_guard lock(mutex_);
    auto rows = connection_.exec(
        "SELECT adapter, state, count(*) FROM outbox GROUP BY adapter, state ORDER BY 1, 2", {});
    std::vector<OutboxCount> counts;
    for (int row = 0; row < rows.rows(); ++row) {
        counts.push_back({rows.text(row, 0),
                          parse_job_state(rows.text(row, 1)).value_or(JobState::dead),
                          rows.integer(row, 2)});
    }
    return counts;
}

std::optional<OutboxJob> PostgresStore::outbox_job(std::int64_t id) {
    std::lock_guard lock(mutex_);
    auto rows = connection_.exec(fmt::format("SELECT {} FROM outbox WHERE id = $1", kOutboxColumns),
                                 {param(id)});
    if (rows.rows() == 0) {
        return std::nullopt;
    }
    return read_job(rows, 0);
}

int PostgresStore::requeue_jobs(std::optional<std::int64_t> id) {
    std::lock_guard lock(mutex_);
    return connection_
        .exec(
            "UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = $1, "
            "lease_until = NULL, updated_at = $1 WHERE state = 'dead' AND ($2::bigint IS NULL "
            "OR id = $2::bigint)",
            {param(now_micros()), param(id)})
        .affected();
}

int PostgresStore::purge_done_jobs(TimePoint older_than) {
    std::lock_guard lock(mutex_);
    return connection_
        .exec("DELETE FROM outbox WHERE state = 'done' AND updated_at < $1",
              {param(to_micros(older_than))})
        .affected();
}

void PostgresStore::record_sends(const std::vector<SendRecord>& batch) {
    std::lock_guard lock(mutex_);
    std::int64_t now = now_micros();
    Transaction transaction(connection_);
    // Attribution data only: the commit need not wait for the WAL flush (a
    // server crash may lose the last batch, never a complaint).
    connection_.exec("SET LOCAL synchronous_commit = off");
    for (const auto& record : batch) {
        connection_.exec(
            "INSERT INTO send_log (message_id, recipient_key, recipient, mailing_id, sent_at) "
            "VALUES ($1, $2, $3, $4, $5)",
            {record.message_id, record.recipient_key, record.recipient, record.mailing_id,
             param(record.sent_at == TimePoint{} ? now : to_micros(record.sent_at))});
    }
    transaction.commit();
}

std::vector<SendRecord> PostgresStore::find_sends(const std::string& message_id) {
    std::lock_guard lock(mutex_);
    auto rows = connection_.exec(
        "SELECT message_id, recipient_key, recipient, mailing_id, sent_at FROM send_log WHERE "
        "message_id = $1 ORDER BY sent_at, id",
        {message_id});
    std::vector<SendRecord> records;
    for (int row = 0; row < rows.rows(); ++row) {
        records.push_back({rows.text(row, 0), rows.text(row, 1), rows.text(row, 2),
                           rows.text(row, 3), from_micros(rows.integer(row, 4))});
    }
    return records;
}

int PostgresStore::prune_sends(TimePoint older_than) {
    std::lock_guard lock(mutex_);
    return connection_
        .exec("DELETE FROM send_log WHERE sent_at < $1", {param(to_micros(older_than))})
        .affected();
}

// complaint_recipients rows go with them (ON DELETE CASCADE).
int PostgresStore::prune_untrusted(TimePoint older_than) {
    std::lock_guard lock(mutex_);
    return connection_
        .exec("DELETE FROM complaints WHERE trusted = 0 AND received_at < $1",
              {param(to_micros(older_than))})
        .affected();
}

std::vector<SendCount> PostgresStore::send_counts(SendGrouping by, std::optional<TimePoint> since) {
    // The same groups as SqliteStore: the text after the last '@', the UTC
    // date; ordered bytewise (COLLATE "C") whatever the database's locale.
    const char* group = "mailing_id";
    if (by == SendGrouping::provider) {
        group = "substring(recipient_key from '[^@]*$')";
    } else if (by == SendGrouping::day) {
        group = "to_char(to_timestamp(sent_at / 1000000) AT TIME ZONE 'UTC', 'YYYY-MM-DD')";
    }
    std::lock_guard lock(mutex_);
    auto rows = connection_.exec(
        std::string("SELECT (") + group +
            ") COLLATE \"C\" AS grp, count(*) FROM send_log WHERE sent_at >= $1 "
            "GROUP BY grp ORDER BY grp",
        {param(since ? to_micros(*since) : std::numeric_limits<std::int64_t>::min())});
    std::vector<SendCount> counts;
    for (int row = 0; row < rows.rows(); ++row) {
        counts.push_back({rows.text(row, 0), rows.integer(row, 1)});
    }
    return counts;
}

}  // namespace fbl::store
