#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "store/complaint_plan.h"
#include "store/console_sql.h"
#include "store/sqlite/sqlite_connection.h"
#include "store/store.h"

namespace fbl::store {

namespace sqlite {
// The suppressions columns read_suppression reads, in its order.
extern const char* const kSuppressionColumns;
Suppression read_suppression(const Statement& row);
}  // namespace sqlite

// The embedded backend: one SQLite file in WAL mode with synchronous=FULL,
// so a write is on disk when the call returns. Writes go through one
// connection and reads through another, each behind its own mutex, so a
// reader (the milter confirming a hit) never waits for a local writer.
// Several processes may use the file at once: writers take the write lock
// with BEGIN IMMEDIATE and wait up to store.sqlite.busy_timeout for it.
class SqliteStore : public Store {
  public:
    explicit SqliteStore(const config::SqliteSettings& settings);

    // Called at named points inside record_complaint's transaction, before
    // COMMIT ("complaint", "suppressions", "jobs"), so a test can kill the
    // process mid-transaction and check that nothing half-written remains.
    using TestHook = std::function<void(std::string_view point)>;
    void set_test_hook(TestHook hook);

    void add(const Suppression& entry) override;
    void add(const Suppression& entry, const Actor& actor) override;
    void add_all(const std::vector<Suppression>& entries) override;
    bool remove(const std::string& key, const std::string& note) override;
    bool remove(const std::string& key, const std::string& note, const Actor& actor) override;
    std::optional<Suppression> find(const std::string& key) override;
    std::vector<Suppression> list(const SuppressionFilter& filter) override;

    RecordResult record_complaint(const Complaint& complaint, Scope scope,
                                  const std::optional<TimePoint>& expires_at,
                                  const std::vector<OutboxJob>& jobs) override;
    std::vector<Complaint> complaints(const ComplaintFilter& filter) override;
    std::string raw_report(std::int64_t complaint_id) override;
    std::vector<RecordResult> record_complaints(const std::vector<ComplaintRecord>& batch) override;
    RecordResult promote_complaint(std::int64_t id, const Complaint& evaluated, Scope scope,
                                   const std::optional<TimePoint>& expires_at,
                                   const std::vector<OutboxJob>& jobs) override;
    bool token_seen(Channel channel, const std::string& token) override;
    bool remember_token(Channel channel, const std::string& token, TimePoint expires_at) override;
    std::optional<std::string> key_settings() override;
    RekeyCounts rekey(const std::string& settings, const KeyFunction& key_of) override;

    std::int64_t last_sequence() override;
    std::vector<Change> changes_since(std::int64_t sequence, std::size_t limit) override;
    void for_each_key(
        const std::function<void(const std::string& key, Scope scope,
                                 const std::optional<TimePoint>& expires)>& visit) override;

    std::vector<OutboxJob> lease_jobs(const std::string& adapter, std::size_t limit,
                                      std::chrono::seconds lease) override;
    void complete_jobs(const std::vector<JobCompletion>& jobs) override;
    void retry_job(std::int64_t id, TimePoint next_attempt, const std::string& error) override;
    void dead_letter_job(std::int64_t id, const std::string& error,
                         const std::string& response) override;
    using OutboxStore::outbox;
    std::vector<OutboxJob> outbox(std::optional<JobState> state, std::int64_t limit) override;
    std::vector<OutboxCount> outbox_counts() override;
    std::optional<OutboxJob> outbox_job(std::int64_t id) override;
    int requeue_jobs(std::optional<std::int64_t> id) override;
    int purge_done_jobs(TimePoint older_than) override;

    void export_history(const HistoryVisitor& visit) override;
    HistoryCounts import_history(
        const std::function<void(const HistoryVisitor& visit)>& produce) override;

    void record_sends(const std::vector<SendRecord>& batch) override;
    std::vector<SendRecord> find_sends(const std::string& message_id) override;
    int prune_sends(TimePoint older_than) override;
    int prune_untrusted(TimePoint older_than) override;
    std::vector<SendCount> send_counts(SendGrouping by, std::optional<TimePoint> since) override;

    ComplaintPage complaint_page(const ComplaintQuery& query, const ComplaintSort& sort,
                                 const std::optional<ComplaintCursor>& after, int limit) override;
    std::int64_t count_complaints(const ComplaintQuery& query, std::int64_t cap) override;
    void each_complaint(const ComplaintQuery& query, const ComplaintSort& sort,
                        const ComplaintVisitor& visit) override;
    std::vector<MailingStats> mailing_stats(std::optional<TimePoint> since) override;
    std::vector<DailyRate> daily_rates(const std::optional<std::string>& mailing_id,
                                       TimePoint since) override;
    SuppressionPage suppression_page(const std::string& search, const std::string& after_key,
                                     int limit) override;
    std::vector<SuppressionChange> history(const std::string& key) override;

  private:
    enum class Merge { replace, widen };
    void upsert(const Suppression& entry, Merge merge, std::int64_t now, const std::string& actor);
    void add_all_as(const std::vector<Suppression>& entries, const std::string& actor);
    // Each row of `sql` on `connection` as a count by its first column.
    static std::map<std::string, std::int64_t> counts_of(sqlite::Connection& connection,
                                                         const console::Sql& sql);
    void hook(std::string_view point);
    // record_complaint's work inside a transaction the caller holds (and
    // its lock): one record of a batch, or the only one.
    RecordResult record_in_transaction(const Complaint& complaint, Scope scope,
                                       const std::optional<TimePoint>& expires_at,
                                       const std::vector<OutboxJob>& jobs, std::int64_t now);
    // record_complaint's and promote_complaint's effects of a trusted report.
    void apply_effects(RecordResult& result, const ComplaintPlan& plan, std::int64_t now);
    void insert_recipients(std::int64_t complaint_id,
                           const std::vector<ComplaintRecipient>& recipients);
    std::int64_t rekey_column(const char* table, const char* address_column, const char* key_column,
                              const KeyFunction& key_of);

    config::SqliteSettings settings_;  // each_complaint opens a connection of its own
    std::string actor_;  // who changes the list from this process: the history's "who"
    std::mutex writer_mutex_;
    sqlite::Connection writer_;
    std::mutex reader_mutex_;
    sqlite::Connection reader_;
    // Prepared once: an import of a million rows must not re-prepare per row.
    std::optional<sqlite::Statement> replace_;
    std::optional<sqlite::Statement> widen_;
    std::optional<sqlite::Statement> insert_change_;
    TestHook test_hook_;
};

}  // namespace fbl::store
