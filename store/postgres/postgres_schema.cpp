#include "store/postgres/postgres_schema.h"

#include <array>

#include <fmt/format.h>

#include "store/store.h"

namespace fbl::store::postgres {
namespace {

// Lock ids are arbitrary constants shared by every fblmilter node.
constexpr const char* kMigrationLock = "SELECT pg_advisory_lock(7305001)";
constexpr const char* kMigrationUnlock = "SELECT pg_advisory_unlock(7305001)";

// Times are BIGINT microseconds since the Unix epoch (UTC), flags 0/1
// INTEGERs: the same values as the SQLite schema. Append-only.
constexpr std::array kMigrations{
    // 1: the initial schema (DESIGN.md "Store").
    R"sql(
CREATE TABLE suppressions (
  key        TEXT PRIMARY KEY NOT NULL,
  address    TEXT NOT NULL,
  reason     TEXT NOT NULL,
  scope      TEXT NOT NULL,
  source     TEXT NOT NULL DEFAULT '',
  mailing_id TEXT NOT NULL DEFAULT '',
  first_at   BIGINT NOT NULL,
  last_at    BIGINT NOT NULL,
  count      BIGINT NOT NULL DEFAULT 1,
  expires_at BIGINT,
  note       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX suppressions_first_at ON suppressions(first_at);

CREATE TABLE complaints (
  id                  BIGSERIAL PRIMARY KEY,
  dedup_key           TEXT NOT NULL UNIQUE,
  received_at         BIGINT NOT NULL,
  kind                TEXT NOT NULL,
  feedback_type       TEXT NOT NULL,
  provider            TEXT NOT NULL,
  user_agent          TEXT NOT NULL,
  arrival_date        BIGINT,
  source_ip           TEXT NOT NULL,
  original_message_id TEXT NOT NULL,
  original_mail_from  TEXT NOT NULL,
  original_subject    TEXT NOT NULL,
  mailing_id          TEXT NOT NULL,
  trusted             INTEGER NOT NULL,
  trust_reason        TEXT NOT NULL,
  unresolved          INTEGER NOT NULL,
  redacted            INTEGER NOT NULL,
  report_json         TEXT NOT NULL
);
CREATE INDEX complaints_received_at ON complaints(received_at);
CREATE INDEX complaints_mailing_id ON complaints(mailing_id);

CREATE TABLE complaint_recipients (
  complaint_id BIGINT NOT NULL REFERENCES complaints(id) ON DELETE CASCADE,
  position     INTEGER NOT NULL,
  key          TEXT NOT NULL,
  address      TEXT NOT NULL,
  evidence     TEXT NOT NULL,
  PRIMARY KEY (complaint_id, position)
);
CREATE INDEX complaint_recipients_key ON complaint_recipients(key);

CREATE TABLE outbox (
  id              BIGSERIAL PRIMARY KEY,
  complaint_id    BIGINT,
  adapter         TEXT NOT NULL,
  idempotency_key TEXT NOT NULL UNIQUE,
  payload_json    TEXT NOT NULL,
  state           TEXT NOT NULL CHECK (state IN ('pending', 'leased', 'done', 'dead')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  created_at      BIGINT NOT NULL,
  next_attempt_at BIGINT NOT NULL,
  lease_until     BIGINT,
  updated_at      BIGINT NOT NULL,
  last_error      TEXT NOT NULL DEFAULT '',
  last_response   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_due ON outbox(adapter, state, next_attempt_at);

CREATE TABLE send_log (
  id            BIGSERIAL PRIMARY KEY,
  message_id    TEXT NOT NULL,
  recipient_key TEXT NOT NULL,
  recipient     TEXT NOT NULL,
  mailing_id    TEXT NOT NULL,
  sent_at       BIGINT NOT NULL
);
CREATE INDEX send_log_message_id ON send_log(message_id);
CREATE INDEX send_log_sent_at ON send_log(sent_at);

-- One row per suppression change. Writers take a transaction advisory lock
-- before drawing a sequence number, so numbers commit in order (see
-- postgres_store.cpp) and a follower reading sequence > last misses nothing.
CREATE TABLE changes (
  sequence   BIGSERIAL PRIMARY KEY,
  key        TEXT NOT NULL,
  suppressed INTEGER NOT NULL,
  scope      TEXT NOT NULL,
  expires_at BIGINT,
  changed_at BIGINT NOT NULL,
  actor      TEXT NOT NULL,
  reason     TEXT NOT NULL DEFAULT '',
  note       TEXT NOT NULL DEFAULT ''
);
)sql",
    // 2: what the keys were made with (issue 14 item 13), and the raw copy
    // of an untrusted report that `fblctl complaints reevaluate` checks again
    // (base64, capped; empty for trusted reports and rows from before).
    R"sql(
CREATE TABLE store_meta (
  name  TEXT PRIMARY KEY NOT NULL,
  value TEXT NOT NULL
);
ALTER TABLE complaints ADD COLUMN raw_report TEXT NOT NULL DEFAULT '';
)sql",
    // 3: how each complaint reached us (issue 16): reports, one-click
    // unsubscribes and each provider's webhooks side by side in one log.
    R"sql(
ALTER TABLE complaints ADD COLUMN channel TEXT NOT NULL DEFAULT 'report';
)sql",
    // 4: webhook tokens seen, until their signature's window closes (issue 16).
    R"sql(
CREATE TABLE webhook_tokens (
  channel    TEXT NOT NULL,
  token      TEXT NOT NULL,
  expires_at BIGINT NOT NULL,
  PRIMARY KEY (channel, token)
);
CREATE INDEX webhook_tokens_expiry ON webhook_tokens (expires_at);
)sql",
    // 5: the console (issue 17). outbox.not_found: the CRM knew no such
    // person; complaints.recipient_key: the first recipient's key, so the
    // list sorts by recipient through an index; indexes for each sortable
    // column (ties by id), a mailing's complaints by time, the per-mailing
    // counts without reading the rows, a key's history.
    R"sql(
ALTER TABLE outbox ADD COLUMN not_found INTEGER NOT NULL DEFAULT 0;
ALTER TABLE complaints ADD COLUMN recipient_key TEXT NOT NULL DEFAULT '';
UPDATE complaints SET recipient_key = coalesce((SELECT key FROM complaint_recipients r
  WHERE r.complaint_id = complaints.id AND r.position = 0), '');
CREATE INDEX outbox_complaint ON outbox (complaint_id);
CREATE INDEX outbox_not_found ON outbox (complaint_id) WHERE not_found = 1;
CREATE INDEX complaints_mailing_received ON complaints (mailing_id, received_at, id);
CREATE INDEX complaints_recipient ON complaints (recipient_key, id);
CREATE INDEX complaints_provider ON complaints (provider, id);
CREATE INDEX complaints_feedback_type ON complaints (feedback_type, id);
CREATE INDEX complaints_channel ON complaints (channel, id);
CREATE INDEX complaints_stats ON complaints (mailing_id, provider, received_at, trusted, kind);
CREATE INDEX send_log_mailing ON send_log (mailing_id, sent_at);
CREATE INDEX changes_key ON changes (key, sequence);
-- SQLite's indexes end in the rowid (= id) by themselves; these say it.
DROP INDEX complaints_received_at;
CREATE INDEX complaints_received_at ON complaints (received_at, id);
DROP INDEX complaints_mailing_id;
CREATE INDEX complaints_mailing_id ON complaints (mailing_id, id);
)sql",
};

int schema_version(Connection& connection) {
    auto result = connection.exec("SELECT coalesce(max(version), 0) FROM fbl_schema_version");
    return static_cast<int>(result.integer(0, 0));
}

void migrate_locked(Connection& connection) {
    connection.execute("CREATE TABLE IF NOT EXISTS fbl_schema_version (version INTEGER NOT NULL)");
    int version = schema_version(connection);
    if (version > current_schema_version()) {
        throw StoreCorrupt(fmt::format(
            "postgres database has schema version {}, newer than the {} this fblmilter knows; "
            "upgrade fblmilter (the database is left unchanged)",
            version, current_schema_version()));
    }
    while (version < current_schema_version()) {
        Transaction transaction(connection);
        connection.execute(kMigrations[static_cast<std::size_t>(version)]);
        connection.exec("INSERT INTO fbl_schema_version (version) VALUES ($1)",
                        {param(std::int64_t{version + 1})});
        transaction.commit();
        ++version;
    }
}

}  // namespace

int current_schema_version() {
    return static_cast<int>(kMigrations.size());
}

void migrate(Connection& connection) {
    connection.execute(kMigrationLock);
    try {
        migrate_locked(connection);
    } catch (...) {
        try {
            connection.execute(kMigrationUnlock);
        } catch (...) {
            // Lost connection: the server released the session lock.
        }
        throw;
    }
    connection.execute(kMigrationUnlock);
}

}  // namespace fbl::store::postgres
