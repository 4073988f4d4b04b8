#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "config/config.h"
#include "store/console_reader.h"
#include "store/records.h"

namespace fbl::store {

// The store cannot be reached or cannot commit (locked, disk full, database
// down). Callers map it to on_error.store_unavailable: a report is answered
// with tempfail so the provider retries, never acknowledged and lost.
class StoreUnavailable : public std::runtime_error {
    using std::runtime_error::runtime_error;
};

// The store's content or schema is unusable (not a database, newer schema).
class StoreCorrupt : public std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct SuppressionFilter {
    std::optional<Reason> reason;
    std::optional<TimePoint> since;
    std::string mailing_id;
};

struct ComplaintFilter {
    std::optional<TimePoint> since;
    std::optional<TimePoint> until;
    std::string mailing_id;
    std::string provider;
    std::optional<bool> trusted;    // nullopt = both
    std::vector<std::string> keys;  // only these recipients (empty = all)
};

struct RecordResult {
    std::int64_t complaint_id = 0;
    bool duplicate = false;  // the dedup key was already stored: nothing changed
    int suppressed = 0;      // recipients newly suppressed or refreshed
    int jobs = 0;            // outbox jobs enqueued
};

// A store's whole history, table by table, verbatim: what `fblctl migrate`
// moves from one backend to another. The tables and columns are the same in
// every backend (times in microseconds, flags 0/1).
struct HistoryTable {
    std::string name;
    std::vector<std::string> columns;
    std::string order_by;  // a stable export order
};
// Parents before children (complaints before their recipients).
const std::vector<HistoryTable>& history_tables();
// One row: values in the table's column order as text; nullopt is NULL.
using HistoryRow = std::vector<std::optional<std::string>>;
using HistoryVisitor = std::function<void(const HistoryTable& table, const HistoryRow& row)>;
// Rows per table, in history_tables() order.
using HistoryCounts = std::vector<std::pair<std::string, std::int64_t>>;

// import_history found rows already there: nothing was written.
class StoreNotEmpty : public std::runtime_error {
    using std::runtime_error::runtime_error;
};

// What a re-key changed (issue 14 item 13).
struct RekeyCounts {
    std::int64_t suppressions = 0;  // rows whose key changed (merged ones included)
    std::int64_t merged = 0;        // of those, rows folded into another with the same new key
    std::int64_t complaint_recipients = 0;
    std::int64_t sends = 0;
};
// The key an address takes under the normalisation now configured; never
// empty (AddressNormalizer::lookup_key).
using KeyFunction = std::function<std::string(const std::string& address)>;

// Who changes the list, as the history (changes.actor) names them: the
// console passes "console:<user>"; without one a store names the process's
// user (sudo user, else OS user).
struct Actor {
    std::string name;
};

struct AddRequest {
    Suppression entry;  // key and address filled; times default to now
};

// The store by role (DESIGN.md, "Store"): each user takes the role it
// needs, not the whole store. Every method is safe to call from several
// threads; each call is atomic.

// The suppression list: what fblctl add/remove/check/list/import use.
class SuppressionStore {
  public:
    virtual ~SuppressionStore() = default;
    // Inserts or refreshes (last_at, count, reason/scope/expiry); one change.
    virtual void add(const Suppression& entry) = 0;
    virtual void add(const Suppression& entry, const Actor& actor) = 0;
    // Many at once, one transaction (import). All or nothing.
    virtual void add_all(const std::vector<Suppression>& entries) = 0;
    // Returns false when the key was not suppressed.
    virtual bool remove(const std::string& key, const std::string& note) = 0;
    virtual bool remove(const std::string& key, const std::string& note, const Actor& actor) = 0;
    // Current entry, expired ones excluded.
    virtual std::optional<Suppression> find(const std::string& key) = 0;
    virtual std::vector<Suppression> list(const SuppressionFilter& filter) = 0;
};

// One complaint with what record_complaint takes beside it.
struct ComplaintRecord {
    Complaint complaint;
    Scope scope = Scope::all;
    std::optional<TimePoint> expires_at;
    std::vector<OutboxJob> jobs;
};

// Complaints, written by intake/ only, read by fblctl and the console.
class ComplaintLog {
  public:
    virtual ~ComplaintLog() = default;
    // ONE transaction: the complaint row, and when trusted the suppression of
    // each recipient and one outbox job per adapter and recipient. Idempotent
    // by complaint.dedup_key. Durable when it returns.
    virtual RecordResult record_complaint(const Complaint& complaint, Scope scope,
                                          const std::optional<TimePoint>& expires_at,
                                          const std::vector<OutboxJob>& jobs) = 0;
    // Group commit: every record in ONE transaction, each with
    // record_complaint's rules (a duplicate, also of an earlier record in the
    // batch, writes nothing). All or nothing: when it throws, none is stored.
    // One result per record, in order. Durable when it returns.
    virtual std::vector<RecordResult> record_complaints(
        const std::vector<ComplaintRecord>& batch) = 0;
    virtual std::vector<Complaint> complaints(const ComplaintFilter& filter) = 0;
    // Deletes untrusted complaints received before `older_than` (and their
    // recipient rows); trusted ones are history and stay. Returns how many.
    virtual int prune_untrusted(TimePoint older_than) = 0;

    // The raw copy kept with an untrusted complaint, as stored (base64);
    // empty when none was kept or the complaint does not exist.
    virtual std::string raw_report(std::int64_t complaint_id) = 0;
    // A re-evaluation found untrusted complaint `id` trusted now: ONE
    // transaction updates its trust, reason and recipients from `evaluated`
    // and applies its effects exactly as record_complaint does. Nothing is
    // written (duplicate = true) when the complaint is missing or already
    // trusted, so running it twice applies the effects once.
    virtual RecordResult promote_complaint(std::int64_t id, const Complaint& evaluated, Scope scope,
                                           const std::optional<TimePoint>& expires_at,
                                           const std::vector<OutboxJob>& jobs) = 0;
};

// How the keys were made (issue 14 item 13): realign_keys and fblctl rekey.
// Reading the record is suppression::KeySettingsSource (the follower asks).
class KeyRecord : public suppression::KeySettingsSource {
  public:
    // Re-derives the key of every suppression, complaint recipient and
    // send-log row from its address with `key_of` and records `settings`, in
    // ONE transaction. Suppressions whose new keys meet are merged (widest
    // scope, latest expiry, counts added); each moved key is a removal and an
    // addition in the change feed, so followers end where the store is.
    virtual RekeyCounts rekey(const std::string& settings, const KeyFunction& key_of) = 0;
};

// The change feed is suppression::ChangeFeed: the index owns that port.
using suppression::ChangeFeed;

// The CRM outbox, drained by crm/.
class OutboxStore {
  public:
    virtual ~OutboxStore() = default;
    // Leases up to `limit` due jobs of one adapter until now + lease.
    virtual std::vector<OutboxJob> lease_jobs(const std::string& adapter, std::size_t limit,
                                              std::chrono::seconds lease) = 0;
    void complete_job(std::int64_t id, const std::string& response,
                      CrmLookup lookup = CrmLookup::found) {
        complete_jobs({{id, response, lookup}});
    }
    // Many completions in one transaction: a busy CRM worker records its
    // finished jobs in batches instead of paying one commit (fsync) each.
    virtual void complete_jobs(const std::vector<JobCompletion>& jobs) = 0;
    virtual void retry_job(std::int64_t id, TimePoint next_attempt, const std::string& error) = 0;
    virtual void dead_letter_job(std::int64_t id, const std::string& error,
                                 const std::string& response) = 0;
    // The jobs in `state` (nullopt = all), oldest first, at most `limit`
    // (below 0: every one): the console shows the first few of a million.
    virtual std::vector<OutboxJob> outbox(std::optional<JobState> state, std::int64_t limit) = 0;
    std::vector<OutboxJob> outbox(std::optional<JobState> state) { return outbox(state, -1); }
    virtual std::optional<OutboxJob> outbox_job(std::int64_t id) = 0;
    // Job counts by adapter and state, without reading the jobs.
    virtual std::vector<OutboxCount> outbox_counts() = 0;
    virtual int requeue_jobs(std::optional<std::int64_t> id) = 0;  // nullopt = every dead job
    virtual int purge_done_jobs(TimePoint older_than) = 0;
};

// The whole history, table by table (fblctl migrate).
class HistoryStore {
  public:
    virtual ~HistoryStore() = default;
    // Every row of every history table, expired suppressions, finished jobs
    // and the change feed included, in history_tables() order, from one
    // consistent snapshot.
    virtual void export_history(const HistoryVisitor& visit) = 0;
    // Writes the rows `produce` hands to its visitor (another store's
    // export_history) in ONE transaction: all or nothing. Ids and sequence
    // numbers are kept; new ones continue after them. Throws StoreNotEmpty,
    // writing nothing, when this store already holds any history row.
    virtual HistoryCounts import_history(
        const std::function<void(const HistoryVisitor& visit)>& produce) = 0;
};

// Outgoing marketing mail: Message-ID -> recipients, mailing.
class SendLogStore {
  public:
    virtual ~SendLogStore() = default;
    virtual void record_sends(const std::vector<SendRecord>& batch) = 0;
    virtual std::vector<SendRecord> find_sends(const std::string& message_id) = 0;
    virtual int prune_sends(TimePoint older_than) = 0;
    // Send-log records per group, sent at or after `since` (all when nullopt).
    virtual std::vector<SendCount> send_counts(SendGrouping by, std::optional<TimePoint> since) = 0;
};

// The one-time tokens of signed webhook requests (Mailgun's `token`), so a
// captured request is refused while its signature is still fresh. Shared by
// every fblweb through the store; not history (fblctl migrate leaves it).
class ReplayGuard {
  public:
    virtual ~ReplayGuard() = default;
    // Whether `token` of `channel` is recorded and not yet expired.
    virtual bool token_seen(Channel channel, const std::string& token) = 0;
    // Records it until `expires_at`, forgetting expired tokens; false when it
    // was already recorded (nothing changes then).
    virtual bool remember_token(Channel channel, const std::string& token,
                                TimePoint expires_at) = 0;
};

// Durable state, every role. Implementations: SQLite (embedded default),
// PostgreSQL; open_store() gives one.
class Store : public SuppressionStore,
              public ComplaintLog,
              public KeyRecord,
              public ChangeFeed,
              public OutboxStore,
              public HistoryStore,
              public SendLogStore,
              public ReplayGuard,
              public ConsoleReader {};

// Whether opening may create a SQLite store. A store that a read command (or
// root) created would belong to the wrong user and keep the daemon from
// starting; only commands that write create one, and as root they give it
// to the owner of its directory.
enum class OpenMode { create, existing };

// Opens (and migrates) the configured backend. A SQLite store whose
// directory is missing, or (OpenMode::existing) that does not exist yet, is
// StoreUnavailable with a message that says so.
std::unique_ptr<Store> open_store(const config::StoreSettings& settings,
                                  OpenMode mode = OpenMode::create);

// The normalisation settings the configured store recorded, read without
// creating or migrating anything (--check-config); nullopt when there is no
// store, it cannot be reached, or it recorded none.
std::optional<std::string> peek_key_settings(const config::StoreSettings& settings);

}  // namespace fbl::store
