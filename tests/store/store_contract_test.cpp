// The store contract, run against both backends: every behaviour of
// sqlite_store_test's SqliteStoreTest cases (same bodies) must hold for
// PostgresStore too. The PostgreSQL cases use a throwaway cluster started by
// the test (pg_cluster.h) and skip when none can be started.
#include <algorithm>
#include <thread>

#include <gtest/gtest.h>

#include "common/text.h"
#include "tests/store/backend_fixture.h"

namespace fbl::store {
namespace {

using namespace std::chrono_literals;
using fbl::testing::complaint_for;
using fbl::testing::entry_for;
using fbl::testing::job_for;

using StoreContract = fbl::testing::BackendTest;

TEST_P(StoreContract, AddFindRemoveWriteTheChangeFeed) {
    auto entry = entry_for("user@example.com");
    entry.address = "User@Example.com";
    entry.scope = Scope::all;
    entry.note = "asked by phone";
    store->add(entry);

    auto found = store->find("user@example.com");
    ASSERT_TRUE(found);
    EXPECT_EQ(found->address, "User@Example.com");
    EXPECT_EQ(found->reason, Reason::manual);
    EXPECT_EQ(found->scope, Scope::all);
    EXPECT_EQ(found->note, "asked by phone");
    EXPECT_EQ(found->count, 1);
    EXPECT_FALSE(found->expires_at);
    EXPECT_NE(found->first_at, TimePoint{});
    EXPECT_FALSE(store->find("other@example.com"));

    EXPECT_TRUE(store->remove("user@example.com", "customer asked"));
    EXPECT_FALSE(store->find("user@example.com"));
    EXPECT_FALSE(store->remove("user@example.com", "again"));

    auto changes = store->changes_since(0, 100);
    ASSERT_EQ(changes.size(), 2u);
    EXPECT_TRUE(changes[0].suppressed);
    EXPECT_EQ(changes[0].scope, Scope::all);
    EXPECT_FALSE(changes[1].suppressed);
    EXPECT_LT(changes[0].sequence, changes[1].sequence);
    EXPECT_EQ(store->last_sequence(), changes[1].sequence);
    EXPECT_TRUE(store->changes_since(changes[1].sequence, 100).empty());
}

TEST_P(StoreContract, AddingAgainRefreshesTheEntry) {
    store->add(entry_for("user@example.com"));
    auto second = entry_for("user@example.com", Reason::unsubscribe);
    second.scope = Scope::all;
    store->add(second);
    auto found = store->find("user@example.com");
    ASSERT_TRUE(found);
    EXPECT_EQ(found->count, 2);
    EXPECT_EQ(found->reason, Reason::unsubscribe);
    EXPECT_EQ(found->scope, Scope::all);
    EXPECT_EQ(store->changes_since(0, 100).size(), 2u);
}

TEST_P(StoreContract, ExpiredEntriesStopMatching) {
    auto expired = entry_for("old@example.com");
    expired.expires_at = std::chrono::system_clock::now() - 1s;
    store->add(expired);
    auto current = entry_for("new@example.com");
    current.expires_at = std::chrono::system_clock::now() + 1h;
    store->add(current);

    EXPECT_FALSE(store->find("old@example.com"));
    EXPECT_TRUE(store->find("new@example.com"));
    std::vector<std::string> keys;
    store->for_each_key(
        [&](const std::string& key, Scope, const std::optional<TimePoint>& expires) {
            keys.push_back(key);
            EXPECT_TRUE(expires);
        });
    EXPECT_EQ(keys, std::vector<std::string>{"new@example.com"});
    EXPECT_EQ(store->list({}).size(), 1u);

    // Suppressing an expired address again starts afresh.
    store->add(entry_for("old@example.com"));
    auto renewed = store->find("old@example.com");
    ASSERT_TRUE(renewed);
    EXPECT_EQ(renewed->count, 1);
    EXPECT_FALSE(renewed->expires_at);
}

TEST_P(StoreContract, ListFilters) {
    auto a = entry_for("a@example.com", Reason::complaint);
    a.mailing_id = "m-1";
    a.first_at = std::chrono::system_clock::now() - 48h;
    auto b = entry_for("b@example.com", Reason::manual);
    b.first_at = std::chrono::system_clock::now() - 1h;
    store->add_all({a, b});

    EXPECT_EQ(store->list({}).size(), 2u);
    EXPECT_EQ(store->list({Reason::complaint, std::nullopt, ""}).size(), 1u);
    EXPECT_EQ(store->list({std::nullopt, std::chrono::system_clock::now() - 24h, ""}).at(0).key,
              "b@example.com");
    EXPECT_EQ(store->list({std::nullopt, std::nullopt, "m-1"}).at(0).key, "a@example.com");
    EXPECT_TRUE(store->list({Reason::bounce, std::nullopt, ""}).empty());
}

TEST_P(StoreContract, AddAllIsAllOrNothing) {
    std::vector<Suppression> entries{entry_for("a@example.com"), entry_for(""),
                                     entry_for("c@example.com")};
    EXPECT_THROW(store->add_all(entries), std::invalid_argument);
    EXPECT_FALSE(store->find("a@example.com"));
    EXPECT_EQ(store->last_sequence(), 0);
}

TEST_P(StoreContract, TrustedComplaintSuppressesAndEnqueuesInOneCall) {
    auto complaint = complaint_for("report-1", {"a@example.com", "b@example.com"});
    std::vector<OutboxJob> jobs{job_for("crm", "report-1:a"), job_for("crm", "report-1:b")};
    auto result = store->record_complaint(complaint, Scope::marketing, std::nullopt, jobs);
    EXPECT_FALSE(result.duplicate);
    EXPECT_GT(result.complaint_id, 0);
    EXPECT_EQ(result.suppressed, 2);
    EXPECT_EQ(result.jobs, 2);

    auto found = store->find("a@example.com");
    ASSERT_TRUE(found);
    EXPECT_EQ(found->reason, Reason::complaint);
    EXPECT_EQ(found->mailing_id, "m-1");
    EXPECT_EQ(found->source, "report:" + std::to_string(result.complaint_id));
    auto pending = store->outbox(fbl::store::JobState::pending);
    ASSERT_EQ(pending.size(), 2u);
    EXPECT_EQ(pending[0].idempotency_key, "report-1:a");

    auto stored = store->complaints({});
    ASSERT_EQ(stored.size(), 1u);
    EXPECT_EQ(stored[0].dedup_key, "report-1");
    EXPECT_EQ(stored[0].original_subject, "Our newsletter");
    ASSERT_EQ(stored[0].recipients.size(), 2u);
    EXPECT_EQ(stored[0].recipients[1].key, "b@example.com");
    EXPECT_EQ(stored[0].recipients[1].evidence, "original-rcpt-to");
}

// One-click and webhook complaints sit in the same log, named by channel.
TEST_P(StoreContract, AComplaintKeepsItsChannelAndItsSuppressionsNameIt) {
    auto complaint = complaint_for("click-1", {"a@example.com"});
    complaint.channel = fbl::store::Channel::one_click;
    complaint.kind = fbl::store::ComplaintKind::unsubscribe;
    auto result = store->record_complaint(complaint, Scope::marketing, std::nullopt, {});
    auto found = store->find("a@example.com");
    ASSERT_TRUE(found);
    EXPECT_EQ(found->reason, Reason::unsubscribe);
    EXPECT_EQ(found->source, "one-click:" + std::to_string(result.complaint_id));
    auto stored = store->complaints({});
    ASSERT_EQ(stored.size(), 1u);
    EXPECT_EQ(stored[0].channel, fbl::store::Channel::one_click);
}

// Group commit (fblweb): one transaction, one result per record, and a
// duplicate inside the batch is caught like one across batches.
TEST_P(StoreContract, ABatchOfComplaintsIsOneCommitWithOneResultEach) {
    using fbl::store::ComplaintRecord;
    std::vector<ComplaintRecord> batch;
    for (const char* key : {"batch-1", "batch-2", "batch-1"}) {
        ComplaintRecord record;
        record.complaint = complaint_for(key, {std::string(key) + "@example.com"});
        record.scope = Scope::marketing;
        record.jobs = {job_for("crm", std::string(key) + ":a")};
        batch.push_back(record);
    }
    auto results = store->record_complaints(batch);
    ASSERT_EQ(results.size(), 3u);
    EXPECT_FALSE(results[0].duplicate);
    EXPECT_FALSE(results[1].duplicate);
    EXPECT_TRUE(results[2].duplicate);
    EXPECT_EQ(results[2].complaint_id, results[0].complaint_id);
    EXPECT_EQ(results[1].suppressed, 1);
    EXPECT_EQ(store->complaints({}).size(), 2u);
    EXPECT_EQ(store->outbox(std::nullopt).size(), 2u);
    EXPECT_TRUE(store->find("batch-2@example.com"));
}

TEST_P(StoreContract, ABatchWithABadRecordStoresNothing) {
    using fbl::store::ComplaintRecord;
    std::vector<ComplaintRecord> batch(2);
    batch[0].complaint = complaint_for("good", {"good@example.com"});
    batch[1].complaint = complaint_for("", {"bad@example.com"});  // no dedup key
    EXPECT_THROW(store->record_complaints(batch), std::invalid_argument);
    EXPECT_TRUE(store->complaints({}).empty());
    EXPECT_FALSE(store->find("good@example.com"));
}

// A webhook token counts once while its window is open, on every node.
TEST_P(StoreContract, AWebhookTokenIsRememberedOnceUntilItExpires) {
    using fbl::store::Channel;
    auto later = std::chrono::system_clock::now() + std::chrono::hours(1);
    EXPECT_FALSE(store->token_seen(Channel::mailgun, "t1"));
    EXPECT_TRUE(store->remember_token(Channel::mailgun, "t1", later));
    EXPECT_TRUE(store->token_seen(Channel::mailgun, "t1"));
    EXPECT_FALSE(store->remember_token(Channel::mailgun, "t1", later));
    EXPECT_FALSE(store->token_seen(Channel::sendgrid, "t1"));
    auto past = std::chrono::system_clock::now() - std::chrono::seconds(1);
    EXPECT_TRUE(store->remember_token(Channel::mailgun, "old", past));
    EXPECT_FALSE(store->token_seen(Channel::mailgun, "old"));
    // An expired token is forgotten and may be recorded again.
    EXPECT_TRUE(store->remember_token(Channel::mailgun, "old", later));
}

TEST_P(StoreContract, SameReportTwiceChangesNothing) {
    auto complaint = complaint_for("report-1", {"a@example.com"});
    std::vector<OutboxJob> jobs{job_for("crm", "report-1:a")};
    auto first = store->record_complaint(complaint, Scope::marketing, std::nullopt, jobs);
    auto sequence = store->last_sequence();
    auto second = store->record_complaint(complaint, Scope::marketing, std::nullopt, jobs);
    EXPECT_TRUE(second.duplicate);
    EXPECT_EQ(second.complaint_id, first.complaint_id);
    EXPECT_EQ(second.suppressed, 0);
    EXPECT_EQ(second.jobs, 0);
    EXPECT_EQ(store->last_sequence(), sequence);
    EXPECT_EQ(store->outbox(std::nullopt).size(), 1u);
    EXPECT_EQ(store->complaints({}).size(), 1u);
    EXPECT_EQ(store->find("a@example.com")->count, 1);
}

TEST_P(StoreContract, UntrustedComplaintIsOnlyRecorded) {
    auto complaint = complaint_for("forged", {"a@example.com"}, false);
    auto result =
        store->record_complaint(complaint, Scope::all, std::nullopt, {job_for("crm", "x")});
    EXPECT_EQ(result.suppressed, 0);
    EXPECT_EQ(result.jobs, 0);
    EXPECT_FALSE(store->find("a@example.com"));
    EXPECT_TRUE(store->outbox(std::nullopt).empty());
    EXPECT_EQ(store->complaints({std::nullopt, std::nullopt, "", "", false, {}}).size(), 1u);
    EXPECT_TRUE(store->complaints({std::nullopt, std::nullopt, "", "", true, {}}).empty());
}

TEST_P(StoreContract, ComplaintNeverNarrowsAnExistingSuppression) {
    auto manual = entry_for("a@example.com");
    manual.scope = Scope::all;
    store->add(manual);
    store->record_complaint(complaint_for("r", {"a@example.com"}), Scope::marketing,
                            std::chrono::system_clock::now() + 24h, {});
    auto found = store->find("a@example.com");
    ASSERT_TRUE(found);
    EXPECT_EQ(found->scope, Scope::all);
    EXPECT_FALSE(found->expires_at);
    EXPECT_EQ(found->reason, Reason::complaint);
    EXPECT_EQ(found->count, 2);
    auto change = store->changes_since(0, 10).back();
    EXPECT_EQ(change.scope, Scope::all);  // the feed carries the merged state
    EXPECT_FALSE(change.expires_at);
}

TEST_P(StoreContract, ComplaintFilters) {
    auto now = std::chrono::system_clock::now();
    auto old = complaint_for("old", {"a@example.com"});
    old.received_at = now - 72h;
    old.mailing_id = "m-old";
    auto recent = complaint_for("recent", {"b@example.com", "c@example.com"});
    recent.received_at = now - 1h;
    recent.provider = "other.example";
    store->record_complaint(old, Scope::marketing, std::nullopt, {});
    store->record_complaint(recent, Scope::marketing, std::nullopt, {});

    auto dedup_keys = [&](const ComplaintFilter& filter) {
        std::vector<std::string> keys;
        for (const auto& complaint : store->complaints(filter)) {
            keys.push_back(complaint.dedup_key);
        }
        return keys;
    };
    using Keys = std::vector<std::string>;
    EXPECT_EQ(dedup_keys({}), (Keys{"old", "recent"}));
    EXPECT_EQ(dedup_keys({now - 24h, std::nullopt, "", "", std::nullopt, {}}), Keys{"recent"});
    EXPECT_EQ(dedup_keys({std::nullopt, now - 24h, "", "", std::nullopt, {}}), Keys{"old"});
    EXPECT_EQ(dedup_keys({std::nullopt, std::nullopt, "m-old", "", std::nullopt, {}}), Keys{"old"});
    EXPECT_EQ(dedup_keys({std::nullopt, std::nullopt, "", "other.example", std::nullopt, {}}),
              Keys{"recent"});
    EXPECT_EQ(dedup_keys({std::nullopt, std::nullopt, "", "", std::nullopt, {"c@example.com"}}),
              Keys{"recent"});
    EXPECT_TRUE(
        dedup_keys({std::nullopt, std::nullopt, "", "", std::nullopt, {"z@example.com"}}).empty());
}

TEST_P(StoreContract, PruneUntrustedRemovesOnlyOldUntrustedComplaints) {
    auto now = std::chrono::system_clock::now();
    auto old_forged = complaint_for("old-forged", {"a@example.com"}, false);
    old_forged.received_at = now - 72h;
    auto new_forged = complaint_for("new-forged", {"b@example.com"}, false);
    new_forged.received_at = now - 1h;
    auto old_genuine = complaint_for("old-genuine", {"c@example.com"});
    old_genuine.received_at = now - 72h;
    for (const auto* complaint : {&old_forged, &new_forged, &old_genuine}) {
        store->record_complaint(*complaint, Scope::marketing, std::nullopt, {});
    }

    EXPECT_EQ(store->prune_untrusted(now - 24h), 1);
    std::vector<std::string> kept;
    for (const auto& complaint : store->complaints({})) {
        kept.push_back(complaint.dedup_key);
    }
    std::sort(kept.begin(), kept.end());
    EXPECT_EQ(kept, (std::vector<std::string>{"new-forged", "old-genuine"}));
    EXPECT_TRUE(
        store->complaints({std::nullopt, std::nullopt, "", "", std::nullopt, {"a@example.com"}})
            .empty());
    EXPECT_TRUE(store->find("c@example.com"));
    EXPECT_EQ(store->prune_untrusted(now - 24h), 0);
}

TEST_P(StoreContract, OutboxLeasesRetriesAndDeadLetters) {
    store->record_complaint(complaint_for("r", {"a@example.com"}), Scope::marketing, std::nullopt,
                            {job_for("crm", "k1"), job_for("other", "k2")});
    auto leased = store->lease_jobs("crm", 10, 60s);
    ASSERT_EQ(leased.size(), 1u);
    EXPECT_EQ(leased[0].state, fbl::store::JobState::leased);
    EXPECT_EQ(leased[0].attempts, 1);
    ASSERT_TRUE(leased[0].lease_until);
    EXPECT_TRUE(store->lease_jobs("crm", 10, 60s).empty());  // held by the lease

    auto id = leased[0].id;
    store->retry_job(id, std::chrono::system_clock::now() + 1h, "503 from CRM");
    EXPECT_TRUE(store->lease_jobs("crm", 10, 60s).empty());  // not due yet
    EXPECT_EQ(store->outbox_job(id)->last_error, "503 from CRM");
    EXPECT_EQ(store->outbox_job(id)->state, fbl::store::JobState::pending);

    store->retry_job(id, std::chrono::system_clock::now() - 1s, "again");
    ASSERT_EQ(store->lease_jobs("crm", 10, 60s).size(), 1u);
    store->dead_letter_job(id, "400 bad request", "{\"error\":1}");
    EXPECT_EQ(store->outbox(fbl::store::JobState::dead).size(), 1u);
    EXPECT_EQ(store->outbox_job(id)->last_response, "{\"error\":1}");
    EXPECT_EQ(store->requeue_jobs(std::nullopt), 1);
    EXPECT_EQ(store->outbox_job(id)->state, fbl::store::JobState::pending);

    auto again = store->lease_jobs("crm", 10, 60s);
    ASSERT_EQ(again.size(), 1u);
    store->complete_job(id, "204");
    EXPECT_EQ(store->outbox_job(id)->state, fbl::store::JobState::done);
    EXPECT_EQ(store->purge_done_jobs(std::chrono::system_clock::now() - 1h), 0);
    EXPECT_EQ(store->purge_done_jobs(std::chrono::system_clock::now() + 1s), 1);
    EXPECT_FALSE(store->outbox_job(id));
    EXPECT_EQ(store->outbox(std::nullopt).size(), 1u);  // the other adapter's job
}

TEST_P(StoreContract, OutboxCountsByAdapterAndState) {
    store->record_complaint(complaint_for("r", {"a@example.com", "b@example.com"}),
                            Scope::marketing, std::nullopt,
                            {job_for("crm", "k1"), job_for("crm", "k2"), job_for("other", "k3")});
    ASSERT_EQ(store->lease_jobs("crm", 1, 60s).size(), 1u);
    auto counts = store->outbox_counts();
    ASSERT_EQ(counts.size(), 3u);
    auto row = [&](std::size_t i) {
        return counts[i].adapter + "/" + to_string(counts[i].state) + "=" +
               std::to_string(counts[i].jobs);
    };
    EXPECT_EQ(row(0), "crm/leased=1");
    EXPECT_EQ(row(1), "crm/pending=1");
    EXPECT_EQ(row(2), "other/pending=1");
}

TEST_P(StoreContract, ExpiredLeaseCanBeTakenAgain) {
    store->record_complaint(complaint_for("r", {"a@example.com"}), Scope::marketing, std::nullopt,
                            {job_for("crm", "k1")});
    ASSERT_EQ(store->lease_jobs("crm", 10, 0s).size(), 1u);  // a worker that crashed at once
    auto retaken = store->lease_jobs("crm", 10, 60s);
    ASSERT_EQ(retaken.size(), 1u);
    EXPECT_EQ(retaken[0].attempts, 2);
}

TEST_P(StoreContract, SendLog) {
    auto now = std::chrono::system_clock::now();
    store->record_sends({{"id-1@example.com", "a@example.com", "A@example.com", "m-1", now - 48h},
                         {"id-1@example.com", "b@example.com", "b@example.com", "m-1", now - 48h},
                         {"id-2@example.com", "c@example.com", "c@example.com", "m-2", now}});
    auto sends = store->find_sends("id-1@example.com");
    ASSERT_EQ(sends.size(), 2u);
    EXPECT_EQ(sends[0].recipient, "A@example.com");
    EXPECT_EQ(sends[0].mailing_id, "m-1");
    EXPECT_EQ(store->prune_sends(now - 24h), 2);
    EXPECT_TRUE(store->find_sends("id-1@example.com").empty());
    EXPECT_EQ(store->find_sends("id-2@example.com").size(), 1u);
}

// fblctl stats: recipients sent per mailing, per recipient domain, per UTC day.
TEST_P(StoreContract, SendCountsGroupByMailingDomainAndUtcDay) {
    using std::chrono::sys_days;
    using namespace std::chrono;
    TimePoint late_27th = sys_days{2026y / November / 27} + 23h + 59min + 59s;
    TimePoint early_28th = sys_days{2026y / November / 28} + 1s;
    store->record_sends({{"m1@x", "ann@aol.com", "Ann@aol.com", "dec", late_27th},
                         {"m1@x", "bob@example.net", "bob@example.net", "dec", late_27th},
                         {"m2@x", "cy@aol.com", "cy@aol.com", "dec", early_28th},
                         {"m3@x", "\"a@b\"@example.net", "\"a@b\"@example.net", "", early_28th},
                         {"m4@x", "dee@aol.com", "dee@aol.com", "nov", early_28th}});
    auto as_pairs = [](const std::vector<SendCount>& counts) {
        std::vector<std::pair<std::string, std::int64_t>> pairs;
        for (const auto& count : counts) {
            pairs.emplace_back(count.group, count.sends);
        }
        return pairs;
    };
    using Pairs = std::vector<std::pair<std::string, std::int64_t>>;
    EXPECT_EQ(as_pairs(store->send_counts(SendGrouping::mailing, std::nullopt)),
              (Pairs{{"", 1}, {"dec", 3}, {"nov", 1}}));
    EXPECT_EQ(as_pairs(store->send_counts(SendGrouping::provider, std::nullopt)),
              (Pairs{{"aol.com", 3}, {"example.net", 2}}));
    EXPECT_EQ(as_pairs(store->send_counts(SendGrouping::day, std::nullopt)),
              (Pairs{{"2026-11-27", 2}, {"2026-11-28", 3}}));
    EXPECT_EQ(as_pairs(store->send_counts(SendGrouping::mailing, early_28th)),
              (Pairs{{"", 1}, {"dec", 1}, {"nov", 1}}));
    EXPECT_TRUE(store->send_counts(SendGrouping::day, early_28th + 1s).empty());
}

// Issue 14 item 13: turning on dot folding gives two rows one key; both
// must stay suppressed, as one entry with the wider scope.
TEST_P(StoreContract, RekeyMovesEveryKeyInOneTransactionAndRecordsTheSettings) {
    auto dotted = entry_for("john.doe@gmail.com");
    dotted.address = "John.Doe@gmail.com";
    dotted.scope = Scope::marketing;
    store->add(dotted);
    auto plain = entry_for("johndoe@gmail.com");
    plain.scope = Scope::all;
    store->add(plain);
    store->add(entry_for("x@example.com"));
    auto complaint = complaint_for("untrusted", {}, false);
    complaint.recipients.push_back({"j.d@gmail.com", "J.D@gmail.com", "original-rcpt-to"});
    store->record_complaint(complaint, Scope::marketing, std::nullopt, {});
    SendRecord send;
    send.message_id = "m1@example.com";
    send.recipient = "John.Doe@gmail.com";
    send.recipient_key = "john.doe@gmail.com";
    send.sent_at = std::chrono::system_clock::now();
    store->record_sends({send});
    EXPECT_FALSE(store->key_settings());
    auto before = store->last_sequence();

    auto fold = [](const std::string& address) {
        std::string key;
        for (char c : address) {
            if (c == '@') {
                key += address.substr(address.find('@'));
                break;
            }
            if (c != '.') {
                key.push_back(text::ascii_lower(c));
            }
        }
        return key;
    };
    RekeyCounts counts = store->rekey("folding", fold);
    EXPECT_EQ(counts.suppressions, 1);
    EXPECT_EQ(counts.merged, 1);
    EXPECT_EQ(counts.complaint_recipients, 1);
    EXPECT_EQ(counts.sends, 1);
    EXPECT_EQ(store->key_settings(), "folding");

    EXPECT_FALSE(store->find("john.doe@gmail.com"));
    auto merged = store->find("johndoe@gmail.com");
    ASSERT_TRUE(merged);
    EXPECT_EQ(merged->scope, Scope::all);
    EXPECT_EQ(merged->count, 2);
    EXPECT_TRUE(store->find("x@example.com"));
    auto changes = store->changes_since(before, 100);
    ASSERT_EQ(changes.size(), 2u);
    EXPECT_EQ(changes[0].key, "john.doe@gmail.com");
    EXPECT_FALSE(changes[0].suppressed);
    EXPECT_EQ(changes[1].key, "johndoe@gmail.com");
    EXPECT_TRUE(changes[1].suppressed);
    EXPECT_EQ(changes[1].scope, Scope::all);

    ComplaintFilter by_key;
    by_key.keys = {"jd@gmail.com"};
    EXPECT_EQ(store->complaints(by_key).size(), 1u);
    auto sends = store->find_sends("m1@example.com");
    ASSERT_EQ(sends.size(), 1u);
    EXPECT_EQ(sends[0].recipient_key, "johndoe@gmail.com");

    RekeyCounts again = store->rekey("folding", fold);
    EXPECT_EQ(again.suppressions + again.complaint_recipients + again.sends, 0);
    EXPECT_EQ(store->last_sequence(), changes[1].sequence);
}

// Issue 14 item 5: a re-evaluated complaint is acted on once.
TEST_P(StoreContract, PromotingAnUntrustedComplaintAppliesItsEffectsOnce) {
    auto forged = complaint_for("maybe", {"a@example.com"}, false);
    forged.raw_report = "cmF3";
    auto id = store->record_complaint(forged, Scope::marketing, std::nullopt, {}).complaint_id;
    EXPECT_EQ(store->raw_report(id), "cmF3");
    EXPECT_EQ(store->raw_report(id + 1000), "");
    EXPECT_FALSE(store->find("a@example.com"));

    auto evaluated = complaint_for("maybe", {"a@example.com"}, true);
    evaluated.trust_reason = "dkim provider.example";
    RecordResult promoted =
        store->promote_complaint(id, evaluated, Scope::all, std::nullopt, {job_for("crm", "k1")});
    EXPECT_FALSE(promoted.duplicate);
    EXPECT_EQ(promoted.suppressed, 1);
    EXPECT_EQ(promoted.jobs, 1);
    auto found = store->find("a@example.com");
    ASSERT_TRUE(found);
    EXPECT_EQ(found->scope, Scope::all);
    EXPECT_EQ(found->source, "report:" + std::to_string(id));
    ComplaintFilter trusted;
    trusted.trusted = true;
    auto rows = store->complaints(trusted);
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].trust_reason, "dkim provider.example");
    ASSERT_EQ(rows[0].recipients.size(), 1u);

    RecordResult twice =
        store->promote_complaint(id, evaluated, Scope::all, std::nullopt, {job_for("crm", "k1")});
    EXPECT_TRUE(twice.duplicate);
    EXPECT_EQ(twice.suppressed, 0);
    EXPECT_EQ(store->outbox(std::nullopt).size(), 1u);
    EXPECT_TRUE(
        store->promote_complaint(id + 1000, evaluated, Scope::all, std::nullopt, {}).duplicate);
}

TEST_P(StoreContract, ManyThreadsShareOneStore) {
    std::vector<std::thread> threads;
    for (int thread = 0; thread < 4; ++thread) {
        threads.emplace_back([&, thread] {
            for (int i = 0; i < 50; ++i) {
                std::string key =
                    "t" + std::to_string(thread) + "-" + std::to_string(i) + "@example.com";
                store->add(entry_for(key));
                EXPECT_TRUE(store->find(key));
            }
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    EXPECT_EQ(store->list({}).size(), 200u);
    EXPECT_EQ(store->last_sequence(), 200);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreContract, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace fbl::store
