#pragma once

#include <mutex>
#include <string>

#include "store/complaint_plan.h"
#include "store/postgres/postgres_connection.h"
#include "store/store.h"

namespace fbl::store {

namespace postgres {
// The suppressions columns read_suppression reads, in its order.
extern const char* const kSuppressionColumns;
Suppression read_suppression(const Result& rows, int row);
}  // namespace postgres

// The shared backend for several mail servers: every node points at one
// PostgreSQL database and follows the others' changes through the change
// feed. One session guarded by a mutex (each call is short); a lost session
// makes the call throw StoreUnavailable and the next call reconnects.
class PostgresStore final : public Store {
  public:
    explicit PostgresStore(const config::PostgresSettings& settings);

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
    // On a session of its own, through a cursor in a REPEATABLE READ transaction.
    void each_complaint(const ComplaintQuery& query, const ComplaintSort& sort,
                        const ComplaintVisitor& visit) override;
    std::vector<MailingStats> mailing_stats(std::optional<TimePoint> since) override;
    std::vector<DailyRate> daily_rates(const std::optional<std::string>& mailing_id,
                                       TimePoint since) override;
    SuppressionPage suppression_page(const std::string& search, const std::string& after_key,
                                     int limit) override;
    std::vector<SuppressionChange> history(const std::string& key) override;

    // Waits up to `timeout` on a LISTEN session of its own for another
    // session (any node) to commit a change (NOTIFY fbl_changes). Also true
    // right after LISTEN was (re)issued, since whatever was notified before
    // is lost: the caller re-reads the feed. Throws StoreUnavailable when the
    // listening session cannot be opened or is lost.
    bool wait_for_change(std::chrono::milliseconds timeout) override;

  private:
    enum class Merge { replace, widen };
    // Inside a transaction that holds the changes lock.
    void upsert(const Suppression& entry, Merge merge, std::int64_t now, const std::string& actor);
    void add_all_as(const std::vector<Suppression>& entries, const std::string& actor);
    void lock_changes();
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
    void insert_change(const std::string& key, bool suppressed, const std::string& scope,
                       std::optional<std::int64_t> expires_at, std::int64_t now,
                       const std::string& actor, const std::string& reason,
                       const std::string& note);

    config::PostgresSettings settings_;  // each_complaint opens a session of its own
    std::string actor_;
    std::mutex mutex_;
    postgres::Connection connection_;
    std::mutex listener_mutex_;
    postgres::Connection listener_;  // its own session: LISTEN must not wait behind queries
    bool listening_ = false;
};

}  // namespace fbl::store
