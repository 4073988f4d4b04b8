#include <atomic>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "common/log.h"
#include "config/loader.h"
#include "crm/outbox_worker.h"
#include "fake_crm_server.h"
#include "store/sqlite/sqlite_store.h"
#include "store/store.h"

// The outbox worker against a real SQLite store and the fake CRM over real
// HTTP on 127.0.0.1. Retry delays are 1-2 s so retried jobs settle fast; no
// test checks how long anything took.
namespace fbl::crm {
namespace {

using nlohmann::json;
using store::OutboxJob;
using testing::FakeCrmServer;
using testing::TempDir;

constexpr const char* kToken = "tok-SECRET-1111";
constexpr const char* kAppToken = "app-SECRET-2222";
constexpr const char* kWebhookSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

class WorkerTest : public ::testing::Test {
  protected:
    void SetUp() override {
        write_file("token", kToken);
        write_file("app_token", kAppToken);
        write_file("webhook_secret", kWebhookSecret);
        server_.setup(
            {{"token", kToken}, {"app_token", kAppToken}, {"webhook_secret", kWebhookSecret}});
    }

    void write_file(const std::string& name, const std::string& value) {
        testing::write_secret_file(dir_.path() / name, value);
    }

    std::string secret(const std::string& name) {
        return "{value_file: '" + (dir_.path() / name).string() + "'}";
    }

    std::string common_limits() {
        // The fake CRM speaks plain http on 127.0.0.1.
        return "      allow_insecure: true\n"
               "      connect_timeout: 2s\n"
               "      request_timeout: 1s\n"
               "      rate_per_second: 1000\n"
               "      concurrency: 8\n"
               "      retry: {initial_delay: 1s, max_delay: 2s, give_up_after: 1h}\n";
    }

    void load(const std::string& adapters) {
        auto yaml = "store:\n  backend: sqlite\n  sqlite:\n    path: '" +
                    (dir_.path() / "fbl.db").string() + "'\ncrm:\n  lease: 30s\n  adapters:\n" +
                    adapters;
        config_ = config::load_string(yaml, "test.yaml");
        store_ = store::open_store(config_.store);
    }

    std::string superoffice() {
        return "    - name: so\n      preset: superoffice\n      settings: {base: '" +
               server_.base() + "'}\n      secrets:\n        token: " + secret("token") +
               "\n        app_token: " + secret("app_token") + "\n" + common_limits();
    }

    std::string webhook() {
        return "    - name: hook\n      preset: webhook\n      settings: {url: '" + server_.base() +
               "/webhook'}\n      secrets:\n        signing_secret: " + secret("webhook_secret") +
               "\n" + common_limits();
    }

    // One trusted complaint about `email`, with one job for `adapter`.
    void complain(const std::string& email, const std::string& adapter) {
        store::Complaint complaint;
        complaint.dedup_key = "report-" + std::to_string(++reports_) + "-" + email;
        complaint.kind = store::ComplaintKind::complaint;
        complaint.feedback_type = "abuse";
        complaint.trusted = true;
        complaint.received_at = std::chrono::system_clock::now();
        complaint.recipients.push_back({email, email, "original-rcpt-to"});
        OutboxJob job;
        job.adapter = adapter;
        job.idempotency_key = complaint.dedup_key + ":" + adapter;
        job.payload_json = json{{"email", email},           {"reason", "complaint"},
                                {"feedback_type", "abuse"}, {"reported_at", "2026-11-28T10:00:00Z"},
                                {"mailing_id", "m-1"},      {"complaint_id", reports_}}
                               .dump();
        store_->record_complaint(complaint, suppression::Scope::marketing, std::nullopt, {job});
    }

    // Runs the worker until no job is pending or leased.
    void settle(OutboxWorker& worker) {
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
        while (std::chrono::steady_clock::now() < deadline) {
            worker.run_once();
            if (store_->outbox(fbl::store::JobState::pending).empty() &&
                store_->outbox(fbl::store::JobState::leased).empty()) {
                return;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        FAIL() << "jobs did not settle";
    }

    OutboxJob only_job() {
        auto jobs = store_->outbox(std::nullopt);
        EXPECT_EQ(jobs.size(), 1u);
        return jobs.at(0);
    }

    json requests_to(const std::string& method) {
        json found = json::array();
        for (const auto& request : server_.requests()) {
            if (request["method"] == method) {
                found.push_back(request);
            }
        }
        return found;
    }

    TempDir dir_;
    FakeCrmServer server_;
    config::Config config_;
    std::unique_ptr<store::Store> store_;
    int reports_ = 0;
};

TEST_F(WorkerTest, SuperOfficeFindsThePersonAndRevokesTheConsent) {
    server_.setup({{"persons", {{"ann@x.example", {101}}}}});
    load(superoffice());
    complain("ann@x.example", "so");
    OutboxWorker worker(config_, *store_);
    settle(worker);

    auto job = only_job();
    EXPECT_EQ(job.state, fbl::store::JobState::done);
    EXPECT_EQ(server_.effects()["consent_revoked"], json({{"101", 1}}));
    auto gets = requests_to("GET");
    ASSERT_EQ(gets.size(), 1u);
    EXPECT_EQ(gets[0]["headers"]["authorization"], std::string("SOTicket ") + kToken);
    EXPECT_EQ(gets[0]["headers"]["so-apptoken"], kAppToken);
    EXPECT_EQ(gets[0]["headers"]["idempotency-key"], job.idempotency_key);
    auto deletes = requests_to("DELETE");
    ASSERT_EQ(deletes.size(), 1u);
    EXPECT_EQ(deletes[0]["path"], "/api/v1/Person/101/Consent/EMARKETING");
    EXPECT_EQ(deletes[0]["headers"]["idempotency-key"],
              job.idempotency_key + ":revoke-consent:101");
}

TEST_F(WorkerTest, EveryPersonWithTheAddressLosesTheConsent) {
    server_.setup({{"persons", {{"o'neil@x.example", {201, 202, 203}}}}});
    load(superoffice());
    complain("o'neil@x.example", "so");
    OutboxWorker worker(config_, *store_);
    settle(worker);
    EXPECT_EQ(only_job().state, fbl::store::JobState::done);
    EXPECT_EQ(server_.effects()["consent_revoked"], json({{"201", 1}, {"202", 1}, {"203", 1}}));
}

TEST_F(WorkerTest, NoPersonFoundIsDone) {
    load(superoffice());
    complain("nobody@x.example", "so");
    OutboxWorker worker(config_, *store_);
    settle(worker);
    EXPECT_EQ(only_job().state, fbl::store::JobState::done);
    EXPECT_EQ(server_.requests().size(), 1u);
}

TEST_F(WorkerTest, ServerErrorIsRetriedUntilSuccess) {
    server_.setup({{"persons", {{"ann@x.example", {301}}}}});
    server_.faults(json::array(
        {{{"method", "DELETE"}, {"path", "/Consent/"}, {"status", 500}, {"times", 1}}}));
    load(superoffice());
    complain("ann@x.example", "so");
    OutboxWorker worker(config_, *store_);
    settle(worker);
    auto job = only_job();
    EXPECT_EQ(job.state, fbl::store::JobState::done);
    EXPECT_EQ(job.attempts, 2);
    EXPECT_EQ(server_.effects()["consent_revoked"], json({{"301", 1}}));
}

TEST_F(WorkerTest, TooManyRequestsWaitsForRetryAfter) {
    server_.setup({{"persons", {{"ann@x.example", {401}}}}});
    server_.faults(json::array(
        {{{"method", "GET"}, {"status", 429}, {"times", 1}, {"headers", {{"Retry-After", "2"}}}}}));
    load(superoffice());
    complain("ann@x.example", "so");
    OutboxWorker worker(config_, *store_);
    auto before = std::chrono::system_clock::now();
    worker.run_once();
    auto waiting = only_job();
    EXPECT_EQ(waiting.state, fbl::store::JobState::pending);
    EXPECT_GE(waiting.next_attempt_at, before + std::chrono::seconds(2));
    EXPECT_NE(waiting.last_error.find("429"), std::string::npos);
    settle(worker);
    EXPECT_EQ(only_job().state, fbl::store::JobState::done);
    EXPECT_EQ(server_.effects()["consent_revoked"], json({{"401", 1}}));
}

TEST_F(WorkerTest, TimeoutIsRetried) {
    server_.setup({{"persons", {{"ann@x.example", {501}}}}});
    server_.faults(
        json::array({{{"method", "DELETE"}, {"delay_ms", 3000}, {"status", 204}, {"times", 1}}}));
    load(superoffice());
    complain("ann@x.example", "so");
    OutboxWorker worker(config_, *store_);
    settle(worker);
    auto job = only_job();
    EXPECT_EQ(job.state, fbl::store::JobState::done);
    EXPECT_EQ(job.attempts, 2);
    EXPECT_EQ(server_.effects()["consent_revoked"], json({{"501", 1}}));
}

TEST_F(WorkerTest, UnauthorisedRereadsTheTokenAndSucceeds) {
    const std::string rotated = "tok-SECRET-ROTATED";
    server_.setup({{"persons", {{"ann@x.example", {601}}}}, {"token", rotated}});
    load(superoffice());  // reads the old token
    write_file("token", rotated);
    complain("ann@x.example", "so");
    OutboxWorker worker(config_, *store_);
    settle(worker);
    auto job = only_job();
    EXPECT_EQ(job.state, fbl::store::JobState::done);
    EXPECT_EQ(job.attempts, 1);
    auto gets = requests_to("GET");
    ASSERT_EQ(gets.size(), 2u);
    EXPECT_EQ(gets[0]["headers"]["authorization"], std::string("SOTicket ") + kToken);
    EXPECT_EQ(gets[1]["headers"]["authorization"], "SOTicket " + rotated);
    EXPECT_EQ(job.last_response.find(rotated), std::string::npos);
}

TEST_F(WorkerTest, BadRequestIsDeadLetteredWithTheAnswerKept) {
    server_.setup({{"persons", {{"ann@x.example", {701}}}}});
    server_.faults(json::array({{{"method", "DELETE"},
                                 {"status", 400},
                                 {"body", "{\"Error\":\"unknown purpose\"}"},
                                 {"times", 5}}}));
    load(superoffice());
    complain("ann@x.example", "so");
    OutboxWorker worker(config_, *store_);
    settle(worker);
    auto job = only_job();
    EXPECT_EQ(job.state, fbl::store::JobState::dead);
    EXPECT_EQ(job.attempts, 1);
    EXPECT_NE(job.last_error.find("HTTP 400"), std::string::npos);
    EXPECT_NE(job.last_response.find("unknown purpose"), std::string::npos);
    EXPECT_EQ(requests_to("DELETE").size(), 1u);
}

TEST_F(WorkerTest, SignedWebhookVerifiesAndKeepsItsIdAcrossRetries) {
    server_.faults(
        json::array({{{"method", "POST"}, {"path", "/webhook"}, {"status", 503}, {"times", 1}}}));
    load(webhook());
    complain("ann@x.example", "hook");
    OutboxWorker worker(config_, *store_);
    settle(worker);
    auto job = only_job();
    EXPECT_EQ(job.state, fbl::store::JobState::done);
    auto posts = requests_to("POST");
    ASSERT_EQ(posts.size(), 2u);
    EXPECT_EQ(posts[0]["headers"]["webhook-id"], job.idempotency_key);
    EXPECT_EQ(posts[1]["headers"]["webhook-id"], job.idempotency_key);
    auto effects = server_.effects();
    EXPECT_EQ(effects["webhook"], json({{job.idempotency_key, 1}}));
    EXPECT_EQ(effects["webhook_verified"][job.idempotency_key], true);
    auto event = json::parse(posts[1]["body"].get<std::string>());
    EXPECT_EQ(event["type"], "consent.revoked");
    EXPECT_EQ(event["data"]["email"], "ann@x.example");
    EXPECT_EQ(event["data"]["complaint_id"], "1");
}

// The console's "not found in CRM" (issue 17): a lookup that finds nobody,
// or a 404 on the first request, is done but marks the job not_found; a
// person found, or "already unsubscribed", is plain done.
TEST_F(WorkerTest, AJobThatFindsNobodyInTheCrmIsRecordedAsNotFound) {
    server_.setup({{"persons", {{"ann@x.example", {101}}}}});
    server_.faults(json::array(
        {{{"method", "PUT"}, {"path", "/v3/contacts/"}, {"status", 404}, {"times", 1}}}));
    load(superoffice() + "    - name: hs\n      preset: hubspot\n      settings: {base: '" +
         server_.base() + "', subscription_id: '42'}\n      secrets:\n        token: " +
         secret("token") + "\n" + common_limits() +
         "    - name: brevo\n      preset: brevo\n      settings: {base: '" + server_.base() +
         "'}\n      secrets:\n        api_key: " + secret("app_token") + "\n" + common_limits());
    complain("ann@x.example", "so");
    complain("nobody@x.example", "so");
    complain("gone@x.example", "brevo");
    complain("hubby@x.example", "hs");
    complain("hubby@x.example", "hs");  // answered "already unsubscribed"
    OutboxWorker worker(config_, *store_);
    settle(worker);

    std::vector<std::pair<std::string, store::CrmState>> states;
    store_->each_complaint({}, {store::ComplaintColumn::received_at, false},
                           [&](const store::ComplaintRow& row) {
                               states.emplace_back(row.recipients.at(0), row.crm);
                           });
    using States = std::vector<std::pair<std::string, store::CrmState>>;
    EXPECT_EQ(states, (States{{"ann@x.example", store::CrmState::done},
                              {"nobody@x.example", store::CrmState::not_found},
                              {"gone@x.example", store::CrmState::not_found},
                              {"hubby@x.example", store::CrmState::done},
                              {"hubby@x.example", store::CrmState::done}}));
}

TEST_F(WorkerTest, HubSpotAlreadyUnsubscribedAndBrevoAreDone) {
    load("    - name: hs\n      preset: hubspot\n      settings: {base: '" + server_.base() +
         "', subscription_id: '42'}\n      secrets:\n        token: " + secret("token") + "\n" +
         common_limits() + "    - name: brevo\n      preset: brevo\n      settings: {base: '" +
         server_.base() + "'}\n      secrets:\n        api_key: " + secret("app_token") + "\n" +
         common_limits());
    complain("ann@x.example", "hs");
    complain("ann@x.example", "hs");
    complain("b+tag@x.example", "brevo");
    OutboxWorker worker(config_, *store_);
    settle(worker);
    for (const auto& job : store_->outbox(std::nullopt)) {
        EXPECT_EQ(job.state, fbl::store::JobState::done) << job.adapter << ": " << job.last_error;
    }
    auto effects = server_.effects();
    EXPECT_EQ(effects["hubspot"], json({{"ann@x.example", 1}}));
    EXPECT_EQ(effects["brevo"], json({{"b+tag@x.example", 1}}));
    bool encoded = false;
    for (const auto& request : requests_to("PUT")) {
        encoded = encoded || request["path"] == "/v3/contacts/b%2Btag%40x.example";
        EXPECT_EQ(request["headers"]["api-key"], kAppToken);
    }
    EXPECT_TRUE(encoded);
}

TEST_F(WorkerTest, GivesUpAfterTheConfiguredTime) {
    server_.setup({{"persons", {{"ann@x.example", {950}}}}});
    server_.faults(json::array({{{"method", "GET"}, {"status", 503}, {"times", 100}}}));
    auto adapter = superoffice();
    auto at = adapter.find("give_up_after: 1h");
    ASSERT_NE(at, std::string::npos);
    adapter.replace(at, std::string("give_up_after: 1h").size(), "give_up_after: 1s");
    load(adapter);
    complain("ann@x.example", "so");
    OutboxWorker worker(config_, *store_);
    settle(worker);
    auto job = only_job();
    EXPECT_EQ(job.state, fbl::store::JobState::dead);
    EXPECT_NE(job.last_error.find("gave up"), std::string::npos) << job.last_error;
    EXPECT_NE(job.last_error.find("503"), std::string::npos) << job.last_error;
    EXPECT_TRUE(server_.effects()["consent_revoked"].empty());
}

TEST_F(WorkerTest, CustomStepsWithFormBody) {
    // A custom adapter posting a form to the fake HubSpot endpoint would not
    // parse; the Brevo endpoint accepts any body, so the form lands there.
    load(
        "    - name: custom\n      steps:\n"
        "        - name: block\n"
        "          method: PUT\n"
        "          url: '" +
        server_.base() +
        "/v3/contacts/{email}'\n"
        "          body: 'email={email}&why={reason}'\n"
        "          body_format: form\n"
        "          headers: {X-Mailing: '{mailing_id}'}\n" +
        common_limits());
    complain("a b&c@x.example", "custom");
    OutboxWorker worker(config_, *store_);
    settle(worker);
    EXPECT_EQ(only_job().state, fbl::store::JobState::done);
    auto puts = requests_to("PUT");
    ASSERT_EQ(puts.size(), 1u);
    EXPECT_EQ(puts[0]["path"], "/v3/contacts/a%20b%26c%40x.example");
    EXPECT_EQ(puts[0]["body"], "email=a%20b%26c%40x.example&why=complaint");
    EXPECT_EQ(puts[0]["headers"]["content-type"], "application/x-www-form-urlencoded");
    EXPECT_EQ(puts[0]["headers"]["x-mailing"], "m-1");
}

TEST_F(WorkerTest, HostedWorkerPicksUpNewJobsAndStopsGracefully) {
    server_.setup({{"persons", {{"ann@x.example", {901}}, {"bob@x.example", {902}}}}});
    load(superoffice());
    OutboxWorker worker(config_, *store_);
    worker.start();
    complain("ann@x.example", "so");
    complain("bob@x.example", "so");
    worker.notify();
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (worker.counts().done < 2 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    worker.stop();
    EXPECT_EQ(worker.counts().done, 2u);
    for (const auto& job : store_->outbox(std::nullopt)) {
        EXPECT_EQ(job.state, fbl::store::JobState::done);
    }
    EXPECT_EQ(server_.effects()["consent_revoked"], json({{"901", 1}, {"902", 1}}));
    EXPECT_EQ(server_.requests_counted("GET /api/v1/Person"), 2);
    EXPECT_EQ(server_.requests_counted("DELETE "), 2);
}

// A store that cannot dead-letter (e.g. the database went away just then).
class DeadLetterFails final : public store::SqliteStore {
  public:
    using SqliteStore::SqliteStore;
    std::atomic<int> refused{0};
    void dead_letter_job(std::int64_t, const std::string&, const std::string&) override {
        ++refused;
        throw store::StoreUnavailable("database is locked");
    }
};

// Issue 14 item 18: a store error on any path costs that job one lease,
// never the worker thread (and every later revocation with it).
TEST_F(WorkerTest, StoreErrorWhileDeadLetteringDoesNotStopTheWorker) {
    server_.setup({{"persons", {{"bob@x.example", {902}}}}});
    load(superoffice());
    DeadLetterFails store(config_.store.sqlite);
    store::Complaint broken;
    broken.dedup_key = "broken";
    broken.kind = store::ComplaintKind::complaint;
    broken.trusted = true;
    broken.received_at = std::chrono::system_clock::now();
    OutboxJob unreadable;
    unreadable.adapter = "so";
    unreadable.idempotency_key = "broken:so";
    unreadable.payload_json = "not json";  // cannot run: dead-lettered at once
    store.record_complaint(broken, suppression::Scope::marketing, std::nullopt, {unreadable});

    OutboxWorker worker(config_, store);
    worker.start();
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (store.refused == 0 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ASSERT_GT(store.refused, 0);
    complain("bob@x.example", "so");  // through store_, the same database
    worker.notify();
    while (worker.counts().done < 1 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    worker.stop();
    EXPECT_EQ(worker.counts().done, 1u);
    EXPECT_EQ(server_.effects()["consent_revoked"], json({{"902", 1}}));
    EXPECT_EQ(server_.requests_counted("DELETE "), 1);
}

// An adapter taken out of the configuration leaves its jobs unsent; the
// worker names them instead of passing them over in silence.
TEST_F(WorkerTest, JobsOfAnAdapterNoLongerConfiguredAreReported) {
    log::configure(log::Destination::stderr_stream, log::Level::info, log::PiiMode::plain);
    server_.setup({{"persons", {{"ann@x.example", {701}}}}});
    load(superoffice());
    complain("ann@x.example", "so");
    complain("bob@x.example", "retired");
    complain("cid@x.example", "retired");
    ::testing::internal::CaptureStderr();
    {
        OutboxWorker worker(config_, *store_);
        worker.run_once();
    }
    auto logged = ::testing::internal::GetCapturedStderr();
    EXPECT_NE(logged.find("2 pending job(s) of adapter 'retired', which is not configured"),
              std::string::npos)
        << logged;
    EXPECT_EQ(logged.find("adapter 'so', which"), std::string::npos) << logged;
    EXPECT_EQ(store_->outbox(fbl::store::JobState::pending).size(), 2u);
}

TEST_F(WorkerTest, SecretsNeverShowInLogsOrStoredAnswers) {
    log::configure(log::Destination::stderr_stream, log::Level::debug, log::PiiMode::plain);
    server_.setup({{"persons", {{"ann@x.example", {801}}}}, {"token", "another-token"}});
    // The CRM echoes the credentials it got in its error answer.
    server_.faults(
        json::array({{{"method", "GET"},
                      {"status", 403},
                      {"body", std::string("bad ticket ") + kToken + " for " + kAppToken},
                      {"times", 1}}}));
    load(superoffice());
    complain("ann@x.example", "so");
    ::testing::internal::CaptureStderr();
    {
        OutboxWorker worker(config_, *store_);
        settle(worker);
    }
    auto logged = ::testing::internal::GetCapturedStderr();
    auto job = only_job();
    EXPECT_EQ(job.state, fbl::store::JobState::dead);
    for (const std::string& text : {logged, job.last_error, job.last_response}) {
        EXPECT_EQ(text.find(kToken), std::string::npos) << text;
        EXPECT_EQ(text.find(kAppToken), std::string::npos) << text;
    }
    EXPECT_NE(job.last_response.find("[redacted]"), std::string::npos);
    EXPECT_NE(logged.find("dead-lettered"), std::string::npos);
}

}  // namespace
}  // namespace fbl::crm
