#include "store/sqlite/sqlite_store.h"

#include <algorithm>
#include <cstdlib>
#include <limits>
#include <set>
#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <pwd.h>
#include <unistd.h>

#include "common/log.h"
#include "store/complaint_plan.h"
#include "store/sqlite/sqlite_schema.h"
#include "store/store_support.h"
#include "store/time_codec.h"

namespace fbl::store {

namespace sqlite {

const char* const kSuppressionColumns =
    "key, address, reason, scope, source, mailing_id, first_at, last_at, count, expires_at, note";

Suppression read_suppression(const Statement& row) {
    Suppression entry;
    entry.key = row.text(0);
    entry.address = row.text(1);
    entry.reason = parse_reason(row.text(2)).value_or(Reason::manual);
    entry.scope = parse_scope(row.text(3)).value_or(Scope::all);
    entry.source = row.text(4);
    entry.mailing_id = row.text(5);
    entry.first_at = from_micros(row.integer(6));
    entry.last_at = from_micros(row.integer(7));
    entry.count = row.integer(8);
    entry.expires_at = optional_from_micros(row.optional_integer(9));
    entry.note = row.text(10);
    return entry;
}

}  // namespace sqlite

namespace {

using sqlite::kSuppressionColumns;
using sqlite::read_suppression;

using sqlite::Statement;
using sqlite::WriteTransaction;

// WAL lets the milter's lookups read while fblctl or the report path write;
// FULL makes each complaint's commit survive a power cut.
void configure(sqlite::Connection& connection) {
    if (connection.switch_to_wal() != "wal") {
        throw StoreUnavailable(fmt::format("cannot switch {} to WAL mode", connection.path()));
    }
    connection.execute("PRAGMA synchronous = FULL");
    // Up to 64 MiB of page cache (taken only as the file grows): bulk imports
    // and the index build at start stay in memory instead of re-reading pages.
    connection.execute("PRAGMA cache_size = -65536");
    connection.execute("PRAGMA foreign_keys = ON");
}

// Send-log rows help attribution only, so their commit skips the fsync
// (synchronous NORMAL): a power cut may lose the last of them, a crash of
// the daemon none. The next complaint commit, with FULL, syncs the log file
// and them with it.
class RelaxedDurability {
  public:
    explicit RelaxedDurability(sqlite::Connection& connection) : connection_(connection) {
        connection_.execute("PRAGMA synchronous = NORMAL");
    }
    ~RelaxedDurability() {
        try {
            connection_.execute("PRAGMA synchronous = FULL");
        } catch (const std::exception& error) {
            log::error("store: cannot restore synchronous = FULL: {}", error.what());
        }
    }
    RelaxedDurability(const RelaxedDurability&) = delete;
    RelaxedDurability& operator=(const RelaxedDurability&) = delete;

  private:
    sqlite::Connection& connection_;
};

Scope scope_of(const std::string& text) {
    return parse_scope(text).value_or(Scope::all);
}

constexpr const char* kOutboxColumns =
    "id, adapter, idempotency_key, payload_json, state, attempts, created_at, next_attempt_at, "
    "lease_until, last_error, last_response";

OutboxJob read_job(const Statement& row) {
    OutboxJob job;
    job.id = row.integer(0);
    job.adapter = row.text(1);
    job.idempotency_key = row.text(2);
    job.payload_json = row.text(3);
    job.state = parse_job_state(row.text(4)).value_or(JobState::dead);
    job.attempts = static_cast<int>(row.integer(5));
    job.created_at = from_micros(row.integer(6));
    job.next_attempt_at = from_micros(row.integer(7));
    job.lease_until = optional_from_micros(row.optional_integer(8));
    job.last_error = row.text(9);
    job.last_response = row.text(10);
    return job;
}

constexpr const char* kComplaintColumns =
    "id, dedup_key, received_at, kind, feedback_type, provider, user_agent, arrival_date, "
    "source_ip, original_message_id, original_mail_from, original_subject, mailing_id, trusted, "
    "trust_reason, unresolved, redacted, report_json, channel";

Complaint read_complaint(const Statement& row) {
    Complaint complaint;
    complaint.id = row.integer(0);
    complaint.dedup_key = row.text(1);
    complaint.received_at = from_micros(row.integer(2));
    complaint.kind = parse_complaint_kind(row.text(3)).value_or(ComplaintKind::not_a_report);
    complaint.feedback_type = row.text(4);
    complaint.provider = row.text(5);
    complaint.user_agent = row.text(6);
    complaint.arrival_date = optional_from_micros(row.optional_integer(7));
    complaint.source_ip = row.text(8);
    complaint.original_message_id = row.text(9);
    complaint.original_mail_from = row.text(10);
    complaint.original_subject = row.text(11);
    complaint.mailing_id = row.text(12);
    complaint.trusted = row.integer(13) != 0;
    complaint.trust_reason = row.text(14);
    complaint.unresolved = row.integer(15) != 0;
    complaint.redacted = row.integer(16) != 0;
    complaint.report_json = row.text(17);
    complaint.channel = parse_channel(row.text(18)).value_or(Channel::report);
    return complaint;
}

// An existing row whose expiry has passed counts as absent: a new
// suppression starts afresh instead of inheriting its history.
constexpr const char* kExpired = "(expires_at IS NOT NULL AND expires_at <= :now)";

std::string upsert_sql(bool widen) {
    std::string scope =
        widen
            ? fmt::format(
                  "CASE WHEN {0} THEN excluded.scope WHEN scope = 'all' OR excluded.scope = 'all' "
                  "THEN 'all' ELSE 'marketing' END",
                  kExpired)
            : "excluded.scope";
    std::string expiry =
        widen ? fmt::format(
                    "CASE WHEN {0} THEN excluded.expires_at WHEN expires_at IS NULL OR "
                    "excluded.expires_at IS NULL THEN NULL ELSE max(expires_at, "
                    "excluded.expires_at) END",
                    kExpired)
              : "excluded.expires_at";
    return fmt::format(
        "INSERT INTO suppressions ({cols}) VALUES (:key, :address, :reason, :scope, :source, "
        ":mailing_id, :first_at, :last_at, :count, :expires_at, :note) "
        "ON CONFLICT(key) DO UPDATE SET "
        "address = CASE WHEN {exp} THEN excluded.address ELSE address END, "
        "first_at = CASE WHEN {exp} THEN excluded.first_at ELSE first_at END, "
        "count = CASE WHEN {exp} THEN excluded.count ELSE count + excluded.count END, "
        "last_at = max(last_at, excluded.last_at), "
        "reason = excluded.reason, source = excluded.source, "
        "mailing_id = CASE WHEN excluded.mailing_id <> '' THEN excluded.mailing_id ELSE mailing_id "
        "END, "
        "note = CASE WHEN excluded.note <> '' THEN excluded.note ELSE note END, "
        "scope = {scope}, expires_at = {expiry}{returning}",
        fmt::arg("cols", kSuppressionColumns), fmt::arg("exp", kExpired), fmt::arg("scope", scope),
        fmt::arg("expiry", expiry),
        // Only a widening merge can end in other values than the new entry's.
        fmt::arg("returning", widen ? " RETURNING scope, expires_at, reason" : ""));
}

constexpr const char* kInsertChange =
    "INSERT INTO changes (key, suppressed, scope, expires_at, changed_at, actor, reason, note) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

void insert_change(Statement& statement, const std::string& key, bool suppressed,
                   const std::string& scope, std::optional<std::int64_t> expires_at,
                   std::int64_t now, const std::string& actor, const std::string& reason,
                   const std::string& note) {
    statement.reset();
    statement.bind(1, key)
        .bind(2, std::int64_t{suppressed ? 1 : 0})
        .bind(3, scope)
        .bind(4, expires_at)
        .bind(5, now)
        .bind(6, actor)
        .bind(7, reason)
        .bind(8, note);
    statement.run();
}

std::string keys_json(const std::vector<std::string>& keys) {
    return nlohmann::json(keys).dump();
}

}  // namespace

SqliteStore::SqliteStore(const config::SqliteSettings& settings)
    : settings_(settings),
      actor_(current_actor()),
      writer_(settings.path, settings.busy_timeout),
      reader_(settings.path, settings.busy_timeout) {
    configure(writer_);
    sqlite::migrate(writer_);
    configure(reader_);
    replace_.emplace(writer_.prepare(upsert_sql(false)));
    widen_.emplace(writer_.prepare(upsert_sql(true)));
    insert_change_.emplace(writer_.prepare(kInsertChange));
}

void SqliteStore::set_test_hook(TestHook hook) {
    std::lock_guard lock(writer_mutex_);
    test_hook_ = std::move(hook);
}

void SqliteStore::hook(std::string_view point) {
    if (test_hook_) {
        test_hook_(point);
    }
}

void SqliteStore::upsert(const Suppression& entry, Merge merge, std::int64_t now,
                         const std::string& actor) {
    if (entry.key.empty()) {
        throw std::invalid_argument("a suppression needs a key");
    }
    Statement& statement = merge == Merge::widen ? *widen_ : *replace_;
    statement.reset();
    std::int64_t first = entry.first_at == TimePoint{} ? now : to_micros(entry.first_at);
    std::int64_t last = entry.last_at == TimePoint{} ? first : to_micros(entry.last_at);
    statement.bind(1, entry.key)
        .bind(2, entry.address.empty() ? entry.key : entry.address)
        .bind(3, std::string_view(to_string(entry.reason)))
        .bind(4, std::string_view(to_string(entry.scope)))
        .bind(5, entry.source)
        .bind(6, entry.mailing_id)
        .bind(7, first)
        .bind(8, last)
        .bind(9, std::max<std::int64_t>(entry.count, 1))
        .bind(10, optional_to_micros(entry.expires_at))
        .bind(11, entry.note)
        .bind(12, now);
    std::string scope = to_string(entry.scope);
    std::optional<std::int64_t> expires = optional_to_micros(entry.expires_at);
    std::string reason = to_string(entry.reason);
    if (merge == Merge::widen) {
        statement.step();
        scope = statement.text(0);
        expires = statement.optional_integer(1);
        reason = statement.text(2);
    }
    statement.run();
    insert_change(*insert_change_, entry.key, true, scope, expires, now, actor, reason, entry.note);
}

void SqliteStore::add(const Suppression& entry) {
    add_all({entry});
}

void SqliteStore::add(const Suppression& entry, const Actor& actor) {
    add_all_as({entry}, actor.name);
}

void SqliteStore::add_all(const std::vector<Suppression>& entries) {
    add_all_as(entries, actor_);
}

void SqliteStore::add_all_as(const std::vector<Suppression>& entries, const std::string& actor) {
    std::lock_guard lock(writer_mutex_);
    std::int64_t now = now_micros();
    // Key order turns a large import's random B-tree inserts into appends.
    auto ordered = in_key_order(entries);
    WriteTransaction transaction(writer_);
    for (const auto* entry : ordered) {
        upsert(*entry, Merge::replace, now, actor);
    }
    transaction.commit();
}

bool SqliteStore::remove(const std::string& key, const std::string& note) {
    return remove(key, note, Actor{actor_});
}

bool SqliteStore::remove(const std::string& key, const std::string& note, const Actor& actor) {
    std::lock_guard lock(writer_mutex_);
    std::int64_t now = now_micros();
    WriteTransaction transaction(writer_);
    auto current = writer_.prepare(
        "SELECT scope, expires_at IS NULL OR expires_at > ?2 FROM suppressions WHERE key = ?1");
    current.bind(1, key).bind(2, now);
    if (!current.step()) {
        return false;
    }
    std::string scope = current.text(0);
    bool was_active = current.integer(1) != 0;
    current.reset();
    auto erase = writer_.prepare("DELETE FROM suppressions WHERE key = ?1");
    erase.bind(1, key);
    erase.run();
    insert_change(*insert_change_, key, false, scope, std::nullopt, now, actor.name, "", note);
    transaction.commit();
    return was_active;
}

std::optional<Suppression> SqliteStore::find(const std::string& key) {
    std::lock_guard lock(reader_mutex_);
    auto statement = reader_.prepare(fmt::format(
        "SELECT {} FROM suppressions WHERE key = ?1 AND (expires_at IS NULL OR expires_at > ?2)",
        kSuppressionColumns));
    statement.bind(1, key).bind(2, now_micros());
    if (!statement.step()) {
        return std::nullopt;
    }
    return read_suppression(statement);
}

std::vector<Suppression> SqliteStore::list(const SuppressionFilter& filter) {
    std::lock_guard lock(reader_mutex_);
    auto statement = reader_.prepare(
        fmt::format("SELECT {} FROM suppressions WHERE (expires_at IS NULL OR expires_at > ?1) "
                    "AND (?2 IS NULL OR reason = ?2) AND (?3 IS NULL OR first_at >= ?3) "
                    "AND (?4 = '' OR mailing_id = ?4) ORDER BY first_at, key",
                    kSuppressionColumns));
    statement.bind(1, now_micros());
    if (filter.reason) {
        statement.bind(2, std::string_view(to_string(*filter.reason)));
    }
    statement.bind(3, optional_to_micros(filter.since)).bind(4, filter.mailing_id);
    std::vector<Suppression> entries;
    while (statement.step()) {
        entries.push_back(read_suppression(statement));
    }
    return entries;
}

RecordResult SqliteStore::record_complaint(const Complaint& complaint, Scope scope,
                                           const std::optional<TimePoint>& expires_at,
                                           const std::vector<OutboxJob>& jobs) {
    std::lock_guard lock(writer_mutex_);
    WriteTransaction transaction(writer_);
    RecordResult result = record_in_transaction(complaint, scope, expires_at, jobs, now_micros());
    transaction.commit();
    return result;
}

std::vector<RecordResult> SqliteStore::record_complaints(
    const std::vector<ComplaintRecord>& batch) {
    std::lock_guard lock(writer_mutex_);
    WriteTransaction transaction(writer_);
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

RecordResult SqliteStore::record_in_transaction(const Complaint& complaint, Scope scope,
                                                const std::optional<TimePoint>& expires_at,
                                                const std::vector<OutboxJob>& jobs,
                                                std::int64_t now) {
    if (complaint.dedup_key.empty()) {
        throw std::invalid_argument("a complaint needs a dedup key");
    }
    RecordResult result;

    auto existing = writer_.prepare("SELECT id FROM complaints WHERE dedup_key = ?1");
    existing.bind(1, complaint.dedup_key);
    if (existing.step()) {
        result.complaint_id = existing.integer(0);
        result.duplicate = true;
        return result;  // nothing was written for it
    }

    std::int64_t received =
        complaint.received_at == TimePoint{} ? now : to_micros(complaint.received_at);
    auto insert = writer_.prepare(
        fmt::format("INSERT INTO complaints ({}{}) VALUES (NULL, ?1, ?2, ?3, ?4, ?5, "
                    "?6, ?7, ?8, ?9, ?10, ?11, ?12, "
                    "?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)",
                    kComplaintColumns, ", raw_report, recipient_key"));
    insert.bind(1, complaint.dedup_key)
        .bind(2, received)
        .bind(3, std::string_view(to_string(complaint.kind)))
        .bind(4, complaint.feedback_type)
        .bind(5, complaint.provider)
        .bind(6, complaint.user_agent)
        .bind(7, optional_to_micros(complaint.arrival_date))
        .bind(8, complaint.source_ip)
        .bind(9, complaint.original_message_id)
        .bind(10, complaint.original_mail_from)
        .bind(11, complaint.original_subject)
        .bind(12, complaint.mailing_id)
        .bind(13, std::int64_t{complaint.trusted})
        .bind(14, complaint.trust_reason)
        .bind(15, std::int64_t{complaint.unresolved})
        .bind(16, std::int64_t{complaint.redacted})
        .bind(17, complaint.report_json)
        .bind(18, std::string_view(to_string(complaint.channel)))
        .bind(19, complaint.raw_report)
        .bind(20, first_recipient_key(complaint));
    insert.run();
    result.complaint_id = writer_.last_insert_rowid();

    insert_recipients(result.complaint_id, complaint.recipients);
    hook("complaint");
    if (complaint.trusted && complaint.suppresses) {
        apply_effects(result,
                      plan_complaint(complaint, result.complaint_id, from_micros(received), scope,
                                     expires_at, jobs, from_micros(now)),
                      now);
    }
    return result;
}

void SqliteStore::apply_effects(RecordResult& result, const ComplaintPlan& plan, std::int64_t now) {
    for (const Suppression& entry : plan.suppressions) {
        upsert(entry, Merge::widen, now, actor_);
        ++result.suppressed;
    }
    hook("suppressions");

    auto job_insert = writer_.prepare(
        "INSERT OR IGNORE INTO outbox (complaint_id, adapter, idempotency_key, payload_json, "
        "state, attempts, created_at, next_attempt_at, updated_at) VALUES (?1, ?2, ?3, ?4, "
        "'pending', 0, ?5, ?6, ?5)");
    for (const OutboxJob& job : plan.jobs) {
        const std::string& idempotency = job.idempotency_key;
        job_insert.bind(1, result.complaint_id)
            .bind(2, job.adapter)
            .bind(3, idempotency)
            .bind(4, job.payload_json)
            .bind(5, now)
            .bind(6, to_micros(job.next_attempt_at));
        job_insert.run();
        result.jobs += static_cast<int>(writer_.changes());
        job_insert.reset();
    }
    hook("jobs");
}

void SqliteStore::insert_recipients(std::int64_t complaint_id,
                                    const std::vector<ComplaintRecipient>& recipients) {
    auto recipient = writer_.prepare(
        "INSERT INTO complaint_recipients (complaint_id, position, key, address, evidence) "
        "VALUES (?1, ?2, ?3, ?4, ?5)");
    for (std::size_t position = 0; position < recipients.size(); ++position) {
        const auto& item = recipients[position];
        recipient.bind(1, complaint_id)
            .bind(2, static_cast<std::int64_t>(position))
            .bind(3, item.key)
            .bind(4, item.address)
            .bind(5, item.evidence);
        recipient.run();
        recipient.reset();
    }
}

std::string SqliteStore::raw_report(std::int64_t complaint_id) {
    std::lock_guard lock(reader_mutex_);
    auto statement = reader_.prepare("SELECT raw_report FROM complaints WHERE id = ?1");
    statement.bind(1, complaint_id);
    return statement.step() ? statement.text(0) : std::string();
}

RecordResult SqliteStore::promote_complaint(std::int64_t id, const Complaint& evaluated,
                                            Scope scope, const std::optional<TimePoint>& expires_at,
                                            const std::vector<OutboxJob>& jobs) {
    std::lock_guard lock(writer_mutex_);
    std::int64_t now = now_micros();
    WriteTransaction transaction(writer_);
    RecordResult result;
    result.complaint_id = id;
    auto current = writer_.prepare(
        "SELECT received_at, dedup_key FROM complaints WHERE id = ?1 AND trusted = 0");
    current.bind(1, id);
    if (!current.step()) {
        result.duplicate = true;
        return result;
    }
    std::int64_t received = current.integer(0);
    Complaint promoted = evaluated;
    promoted.dedup_key = current.text(1);  // the job keys stay those of the first intake
    current.reset();
    auto update = writer_.prepare(
        "UPDATE complaints SET trusted = 1, raw_report = '', trust_reason = ?2, unresolved = ?3, "
        "report_json = ?4, "
        "mailing_id = ?5, recipient_key = ?6 WHERE id = ?1");
    update.bind(1, id)
        .bind(2, evaluated.trust_reason)
        .bind(3, std::int64_t{evaluated.unresolved})
        .bind(4, evaluated.report_json)
        .bind(5, evaluated.mailing_id)
        .bind(6, first_recipient_key(evaluated));
    update.run();
    auto erase = writer_.prepare("DELETE FROM complaint_recipients WHERE complaint_id = ?1");
    erase.bind(1, id);
    erase.run();
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

std::vector<Complaint> SqliteStore::complaints(const ComplaintFilter& filter) {
    std::lock_guard lock(reader_mutex_);
    sqlite::ReadTransaction snapshot(reader_);
    auto statement = reader_.prepare(
        fmt::format("SELECT {} FROM complaints WHERE (?1 IS NULL OR received_at >= ?1) AND (?2 IS "
                    "NULL OR received_at < ?2) "
                    "AND (?3 = '' OR mailing_id = ?3) AND (?4 = '' OR provider = ?4) AND (?5 IS "
                    "NULL OR trusted = ?5) "
                    "AND (?6 IS NULL OR id IN (SELECT complaint_id FROM complaint_recipients "
                    "WHERE key IN (SELECT value FROM json_each(?6)))) ORDER BY received_at, id",
                    kComplaintColumns));
    statement.bind(1, optional_to_micros(filter.since))
        .bind(2, optional_to_micros(filter.until))
        .bind(3, filter.mailing_id)
        .bind(4, filter.provider);
    if (filter.trusted) {
        statement.bind(5, std::int64_t{*filter.trusted});
    }
    if (!filter.keys.empty()) {
        statement.bind(6, keys_json(filter.keys));
    }
    std::vector<Complaint> result;
    while (statement.step()) {
        result.push_back(read_complaint(statement));
    }
    auto recipients = reader_.prepare(
        "SELECT key, address, evidence FROM complaint_recipients WHERE complaint_id = ?1 ORDER BY "
        "position");
    for (auto& complaint : result) {
        recipients.bind(1, complaint.id);
        while (recipients.step()) {
            complaint.recipients.push_back(
                {recipients.text(0), recipients.text(1), recipients.text(2)});
        }
        recipients.reset();
    }
    return result;
}

std::optional<std::string> SqliteStore::key_settings() {
    std::lock_guard lock(reader_mutex_);
    auto statement = reader_.prepare("SELECT value FROM store_meta WHERE name = ?1");
    statement.bind(1, std::string_view(kKeySettingsName));
    if (!statement.step()) {
        return std::nullopt;
    }
    return statement.text(0);
}

RekeyCounts SqliteStore::rekey(const std::string& settings, const KeyFunction& key_of) {
    std::lock_guard lock(writer_mutex_);
    std::int64_t now = now_micros();
    WriteTransaction transaction(writer_);
    RekeyCounts counts;
    std::vector<MovedSuppression> moved;
    {
        auto rows =
            writer_.prepare(fmt::format("SELECT {} FROM suppressions", kSuppressionColumns));
        while (rows.step()) {
            Suppression entry = read_suppression(rows);
            if (std::string key = key_of(entry.address); key != entry.key) {
                moved.push_back({entry.key, std::move(entry)});
                moved.back().entry.key = std::move(key);
            }
        }
    }
    // All removals first: a new key may be another row's old one.
    auto erase = writer_.prepare("DELETE FROM suppressions WHERE key = ?1");
    for (const auto& item : moved) {
        erase.reset();
        erase.bind(1, item.old_key);
        erase.run();
        insert_change(*insert_change_, item.old_key, false, to_string(item.entry.scope),
                      std::nullopt, now, actor_, "", rekey_note(item.entry.key));
    }
    auto taken = writer_.prepare("SELECT 1 FROM suppressions WHERE key = ?1");
    for (const auto& item : moved) {
        taken.reset();
        taken.bind(1, item.entry.key);
        counts.merged += taken.step() ? 1 : 0;
        taken.reset();
        upsert(item.entry, Merge::widen, now, actor_);
    }
    counts.suppressions = static_cast<std::int64_t>(moved.size());
    counts.complaint_recipients = rekey_column("complaint_recipients", "address", "key", key_of);
    if (counts.complaint_recipients > 0) {
        writer_.execute(kRefreshRecipientKeys);
    }
    counts.sends = rekey_column("send_log", "recipient", "recipient_key", key_of);
    auto record = writer_.prepare(
        "INSERT INTO store_meta (name, value) VALUES (?1, ?2) "
        "ON CONFLICT(name) DO UPDATE SET value = excluded.value");
    record.bind(1, std::string_view(kKeySettingsName)).bind(2, settings);
    record.run();
    transaction.commit();
    return counts;
}

// One pass over the distinct addresses, then one UPDATE through a temporary
// map: a per-address UPDATE would scan a large send log once per address.
std::int64_t SqliteStore::rekey_column(const char* table, const char* address_column,
                                       const char* key_column, const KeyFunction& key_of) {
    writer_.execute(
        "CREATE TEMP TABLE IF NOT EXISTS rekey_map (address TEXT PRIMARY KEY, key TEXT NOT NULL)");
    writer_.execute("DELETE FROM rekey_map");
    {
        auto rows = writer_.prepare(
            fmt::format("SELECT DISTINCT {}, {} FROM {}", address_column, key_column, table));
        auto insert =
            writer_.prepare("INSERT OR IGNORE INTO rekey_map (address, key) VALUES (?1, ?2)");
        while (rows.step()) {
            std::string address = rows.text(0);
            if (std::string key = key_of(address); key != rows.text(1)) {
                insert.reset();
                insert.bind(1, address).bind(2, key);
                insert.run();
            }
        }
    }
    auto update = writer_.prepare(fmt::format(
        "UPDATE {0} SET {2} = (SELECT key FROM rekey_map WHERE rekey_map.address = {0}.{1}) "
        "WHERE {1} IN (SELECT address FROM rekey_map) AND {2} <> (SELECT key FROM rekey_map "
        "WHERE rekey_map.address = {0}.{1})",
        table, address_column, key_column));
    update.run();
    std::int64_t changed = writer_.changes();
    writer_.execute("DELETE FROM rekey_map");
    return changed;
}

std::int64_t SqliteStore::last_sequence() {
    std::lock_guard lock(reader_mutex_);
    auto statement = reader_.prepare("SELECT coalesce(max(sequence), 0) FROM changes");
    statement.step();
    return statement.integer(0);
}

std::vector<Change> SqliteStore::changes_since(std::int64_t sequence, std::size_t limit) {
    std::lock_guard lock(reader_mutex_);
    auto statement = reader_.prepare(
        "SELECT sequence, key, suppressed, scope, expires_at FROM changes WHERE sequence > ?1 "
        "ORDER BY sequence LIMIT ?2");
    statement.bind(1, sequence).bind(2, static_cast<std::int64_t>(limit));
    std::vector<Change> changes;
    while (statement.step()) {
        Change change;
        change.sequence = statement.integer(0);
        change.key = statement.text(1);
        change.suppressed = statement.integer(2) != 0;
        change.scope = scope_of(statement.text(3));
        change.expires_at = optional_from_micros(statement.optional_integer(4));
        changes.push_back(std::move(change));
    }
    return changes;
}

void SqliteStore::for_each_key(
    const std::function<void(const std::string& key, Scope scope,
                             const std::optional<TimePoint>& expires)>& visit) {
    std::lock_guard lock(reader_mutex_);
    sqlite::ReadTransaction snapshot(reader_);
    auto statement = reader_.prepare(
        "SELECT key, scope, expires_at FROM suppressions WHERE expires_at IS NULL OR expires_at > "
        "?1");
    statement.bind(1, now_micros());
    std::string key;  // reused: ten million rows must not mean ten million allocations
    while (statement.step()) {
        statement.text_into(0, key);
        visit(key, statement.text_equals(1, "all") ? Scope::all : Scope::marketing,
              optional_from_micros(statement.optional_integer(2)));
    }
}

std::vector<OutboxJob> SqliteStore::lease_jobs(const std::string& adapter, std::size_t limit,
                                               std::chrono::seconds lease) {
    std::lock_guard lock(writer_mutex_);
    std::int64_t now = now_micros();
    WriteTransaction transaction(writer_);
    auto statement =
        writer_.prepare(fmt::format("UPDATE outbox SET state = 'leased', lease_until = ?3, "
                                    "attempts = attempts + 1, updated_at = ?2 "
                                    "WHERE id IN (SELECT id FROM outbox WHERE adapter = ?1 AND "
                                    "((state = 'pending' AND next_attempt_at <= ?2) "
                                    "OR (state = 'leased' AND lease_until <= ?2)) ORDER BY "
                                    "next_attempt_at, id LIMIT ?4) RETURNING {}",
                                    kOutboxColumns));
    statement.bind(1, adapter)
        .bind(2, now)
        .bind(3, now + std::chrono::duration_cast<std::chrono::microseconds>(lease).count())
        .bind(4, static_cast<std::int64_t>(limit));
    std::vector<OutboxJob> jobs;
    while (statement.step()) {
        jobs.push_back(read_job(statement));
    }
    transaction.commit();
    std::sort(jobs.begin(), jobs.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
    return jobs;
}

namespace {

void update_job(sqlite::Connection& connection, std::mutex& mutex, const char* sql,
                const std::function<void(Statement&)>& bind) {
    std::lock_guard lock(mutex);
    WriteTransaction transaction(connection);
    auto statement = connection.prepare(sql);
    statement.bind(1, now_micros());
    bind(statement);
    statement.run();
    transaction.commit();
}

}  // namespace

void SqliteStore::complete_jobs(const std::vector<JobCompletion>& jobs) {
    std::lock_guard lock(writer_mutex_);
    WriteTransaction transaction(writer_);
    auto statement = writer_.prepare(
        "UPDATE outbox SET state = 'done', lease_until = NULL, updated_at = ?1, last_response = "
        "?3, "
        "not_found = ?4 WHERE id = ?2");
    auto now = now_micros();
    for (const auto& job : jobs) {
        statement.bind(1, now)
            .bind(2, job.id)
            .bind(3, job.response)
            .bind(4, std::int64_t{job.lookup == CrmLookup::not_found});
        statement.run();
        statement.reset();
    }
    transaction.commit();
}

void SqliteStore::retry_job(std::int64_t id, TimePoint next_attempt, const std::string& error) {
    update_job(writer_, writer_mutex_,
               "UPDATE outbox SET state = 'pending', lease_until = NULL, updated_at = ?1, "
               "next_attempt_at = ?3, last_error = ?4 WHERE id = ?2",
               [&](Statement& statement) {
                   statement.bind(2, id).bind(3, to_micros(next_attempt)).bind(4, error);
               });
}

void SqliteStore::dead_letter_job(std::int64_t id, const std::string& error,
                                  const std::string& response) {
    update_job(
        writer_, writer_mutex_,
        "UPDATE outbox SET state = 'dead', lease_until = NULL, updated_at = ?1, last_error = ?3, "
        "last_response = ?4 WHERE id = ?2",
        [&](Statement& statement) { statement.bind(2, id).bind(3, error).bind(4, response); });
}

std::vector<OutboxJob> SqliteStore::outbox(std::optional<JobState> state, std::int64_t limit) {
    std::lock_guard lock(reader_mutex_);
    // LIMIT -1 is SQLite's "no limit".
    auto statement = reader_.prepare(fmt::format(
        "SELECT {} FROM outbox WHERE ?1 = '' OR state = ?1 ORDER BY id LIMIT ?2", kOutboxColumns));
    statement.bind(1, std::string_view(state ? to_string(*state) : ""));
    statement.bind(2, limit < 0 ? std::int64_t{-1} : limit);
    std::vector<OutboxJob> jobs;
    while (statement.step()) {
        jobs.push_back(read_job(statement));
    }
    return jobs;
}

std::vector<OutboxCount> SqliteStore::outbox_counts() {
    std::lock_guard lock(reader_mutex_);
    auto statement = reader_.prepare(
        "SELECT adapter, state, count(*) FROM outbox GROUP BY adapter, state ORDER BY 1, 2");
    std::vector<OutboxCount> counts;
    while (statement.step()) {
        counts.push_back({statement.text(0),
                          parse_job_state(statement.text(1)).value_or(JobState::dead),
                          statement.integer(2)});
    }
    return counts;
}

std::optional<OutboxJob> SqliteStore::outbox_job(std::int64_t id) {
    std::lock_guard lock(reader_mutex_);
    auto statement =
        reader_.prepare(fmt::format("SELECT {} FROM outbox WHERE id = ?1", kOutboxColumns));
    statement.bind(1, id);
    if (!statement.step()) {
        return std::nullopt;
    }
    return read_job(statement);
}

int SqliteStore::requeue_jobs(std::optional<std::int64_t> id) {
    std::lock_guard lock(writer_mutex_);
    WriteTransaction transaction(writer_);
    auto statement = writer_.prepare(
        "UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = ?1, lease_until = "
        "NULL, "
        "updated_at = ?1 WHERE state = 'dead' AND (?2 IS NULL OR id = ?2)");
    statement.bind(1, now_micros()).bind(2, id);
    statement.run();
    int count = static_cast<int>(writer_.changes());
    transaction.commit();
    return count;
}

int SqliteStore::purge_done_jobs(TimePoint older_than) {
    std::lock_guard lock(writer_mutex_);
    WriteTransaction transaction(writer_);
    auto statement = writer_.prepare("DELETE FROM outbox WHERE state = 'done' AND updated_at < ?1");
    statement.bind(1, to_micros(older_than));
    statement.run();
    int count = static_cast<int>(writer_.changes());
    transaction.commit();
    return count;
}

void SqliteStore::record_sends(const std::vector<SendRecord>& batch) {
    std::lock_guard lock(writer_mutex_);
    std::int64_t now = now_micros();
    RelaxedDurability relaxed(writer_);
    WriteTransaction transaction(writer_);
    auto statement = writer_.prepare(
        "INSERT INTO send_log (message_id, recipient_key, recipient, mailing_id, sent_at) VALUES "
        "(?1, ?2, ?3, ?4, ?5)");
    for (const auto& record : batch) {
        statement.bind(1, record.message_id)
            .bind(2, record.recipient_key)
            .bind(3, record.recipient)
            .bind(4, record.mailing_id)
            .bind(5, record.sent_at == TimePoint{} ? now : to_micros(record.sent_at));
        statement.run();
        statement.reset();
    }
    transaction.commit();
}

std::vector<SendRecord> SqliteStore::find_sends(const std::string& message_id) {
    std::lock_guard lock(reader_mutex_);
    auto statement = reader_.prepare(
        "SELECT message_id, recipient_key, recipient, mailing_id, sent_at FROM send_log WHERE "
        "message_id = ?1 "
        "ORDER BY sent_at, rowid");
    statement.bind(1, message_id);
    std::vector<SendRecord> records;
    while (statement.step()) {
        records.push_back({statement.text(0), statement.text(1), statement.text(2),
                           statement.text(3), from_micros(statement.integer(4))});
    }
    return records;
}

int SqliteStore::prune_sends(TimePoint older_than) {
    std::lock_guard lock(writer_mutex_);
    WriteTransaction transaction(writer_);
    auto statement = writer_.prepare("DELETE FROM send_log WHERE sent_at < ?1");
    statement.bind(1, to_micros(older_than));
    statement.run();
    int count = static_cast<int>(writer_.changes());
    transaction.commit();
    return count;
}

// complaint_recipients rows go with them (ON DELETE CASCADE).
int SqliteStore::prune_untrusted(TimePoint older_than) {
    std::lock_guard lock(writer_mutex_);
    WriteTransaction transaction(writer_);
    auto statement =
        writer_.prepare("DELETE FROM complaints WHERE trusted = 0 AND received_at < ?1");
    statement.bind(1, to_micros(older_than));
    statement.run();
    int count = static_cast<int>(writer_.changes());
    transaction.commit();
    return count;
}

std::vector<SendCount> SqliteStore::send_counts(SendGrouping by, std::optional<TimePoint> since) {
    // The domain is what follows the last '@': rtrim drops every trailing
    // character that is not '@', leaving the local part and the '@'.
    const char* group = "mailing_id";
    if (by == SendGrouping::provider) {
        group =
            "substr(recipient_key, length(rtrim(recipient_key, replace(recipient_key, '@', "
            "''))) + 1)";
    } else if (by == SendGrouping::day) {
        group = "strftime('%Y-%m-%d', sent_at / 1000000, 'unixepoch')";
    }
    std::lock_guard lock(reader_mutex_);
    auto statement = reader_.prepare(std::string("SELECT ") + group +
                                     " AS grp, count(*) FROM send_log WHERE sent_at >= ?1 "
                                     "GROUP BY grp ORDER BY grp");
    statement.bind(1, since ? to_micros(*since) : std::numeric_limits<std::int64_t>::min());
    std::vector<SendCount> counts;
    while (statement.step()) {
        counts.push_back({statement.text(0), statement.integer(1)});
    }
    return counts;
}

}  // namespace fbl::store
