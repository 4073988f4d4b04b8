#include "crm/mailgun_lift.h"

#include <algorithm>

#include <gtest/gtest.h>

#include "crm/outbox_worker.h"
#include "fake_crm_server.h"
#include "intake/intake.h"
#include "store/store.h"

// Lifting Mailgun's blanket stop: a Mailgun complaint taken through intake
// queues a job for the built-in "mailgun" adapter, and the outbox worker
// sends DELETE /v3/{domain}/complaints/{address} to a local Mailgun over
// real HTTP.
namespace fbl::crm {
namespace {

using nlohmann::json;
using testing::FakeCrmServer;
using testing::TempDir;

constexpr const char* kApiKey = "key-SECRET-MAILGUN-5555";

class MailgunLiftTest : public ::testing::Test {
  protected:
    void SetUp() override {
        server_.setup({{"api_key", kApiKey},
                       {"domain", "example.com"},
                       {"complaints", {"alice@example.com"}}});
        config_.store.sqlite.path = (dir_.path() / "store.db").string();
        auto& mailgun = config_.webhooks.mailgun;
        mailgun.lift_blanket_stops = true;
        mailgun.api.domain = "example.com";
        mailgun.api.api_key = config::Secret(kApiKey, "test");
        mailgun.api.base_url = server_.base();
        store_ = store::open_store(config_.store);
    }

    static intake::VouchedEvent mailgun_complaint(const std::string& recipient) {
        intake::VouchedEvent event;
        event.channel = store::Channel::mailgun;
        event.kind = store::ComplaintKind::complaint;
        event.recipient = recipient;
        event.proof = "mailgun signature";
        event.provider = "mailgun.com";
        event.event_id = "evt-" + recipient;
        return event;
    }

    intake::IntakeResult take(const intake::VouchedEvent& event) {
        return intake::Intake(config_, *store_).take(event);
    }

    std::vector<store::OutboxJob> lift_jobs() {
        auto jobs = store_->outbox(std::nullopt);
        std::erase_if(jobs, [](const auto& job) { return job.adapter != kMailgunLiftAdapter; });
        return jobs;
    }

    WorkerCounts run_worker_once() { return OutboxWorker(config_, *store_).run_once(); }

    std::vector<json> deletes() {
        std::vector<json> found;
        for (const auto& request : server_.requests()) {
            if (request["method"] == "DELETE") {
                found.push_back(request);
            }
        }
        return found;
    }

    FakeCrmServer server_{std::string(FBL_SOURCE_DIR) + "/tests/crm/fake_mailgun.py"};
    TempDir dir_;
    config::Config config_;
    std::unique_ptr<store::Store> store_;
};

TEST_F(MailgunLiftTest, AMailgunComplaintQueuesTheLiftAndTheWorkerDeletesTheBlanketStop) {
    auto result = take(mailgun_complaint("alice@example.com"));
    ASSERT_TRUE(result.stored);
    EXPECT_EQ(result.jobs, 1);
    EXPECT_EQ(store_->find("alice@example.com")->scope, suppression::Scope::marketing);
    ASSERT_EQ(lift_jobs().size(), 1u);

    auto counts = run_worker_once();
    EXPECT_EQ(counts.done, 1u);
    auto sent = deletes();
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(sent[0]["path"], "/v3/example.com/complaints/alice%40example.com");
    // base64("api:key-SECRET-MAILGUN-5555"): HTTP Basic, user "api", the key as password
    EXPECT_EQ(sent[0]["headers"]["authorization"], "Basic YXBpOmtleS1TRUNSRVQtTUFJTEdVTi01NTU1");
    EXPECT_EQ(server_.effects()["complaints"], json::array());
    EXPECT_EQ(lift_jobs()[0].state, store::JobState::done);
}

TEST_F(MailgunLiftTest, WithTheLiftOffNoJobIsQueued) {
    config_.webhooks.mailgun.lift_blanket_stops = false;
    auto result = take(mailgun_complaint("alice@example.com"));
    ASSERT_TRUE(result.stored);
    EXPECT_EQ(result.jobs, 0);
    EXPECT_TRUE(lift_jobs().empty());
}

TEST_F(MailgunLiftTest, OnlyMailgunComplaintsWithAMarketingScopeAreLifted) {
    auto ses = mailgun_complaint("bob@example.com");
    ses.channel = store::Channel::ses;
    ses.provider = "amazonses.com";
    EXPECT_TRUE(take(ses).stored);
    auto unsubscribe = mailgun_complaint("carol@example.com");
    unsubscribe.kind =
        store::ComplaintKind::unsubscribe;  // Mailgun's unsubscribes list, not ours to lift
    EXPECT_TRUE(take(unsubscribe).stored);
    config_.suppression.complaint_scope = config::SuppressionScope::all;
    EXPECT_TRUE(take(mailgun_complaint("dave@example.com")).stored);  // we stop all: keep theirs
    EXPECT_TRUE(lift_jobs().empty());
}

TEST_F(MailgunLiftTest, AnAddressMailgunNoLongerListsIsDone) {
    server_.setup({{"complaints", json::array()}});
    take(mailgun_complaint("alice@example.com"));
    auto counts = run_worker_once();
    EXPECT_EQ(counts.done, 1u);
    EXPECT_EQ(deletes().size(), 1u);
    EXPECT_EQ(lift_jobs()[0].state, store::JobState::done);
}

TEST_F(MailgunLiftTest, AServerErrorIsRetriedLater) {
    server_.faults(json::array({{{"method", "DELETE"}, {"status", 500}, {"times", 1}}}));
    take(mailgun_complaint("alice@example.com"));
    auto counts = run_worker_once();
    EXPECT_EQ(counts.retried, 1u);
    auto job = lift_jobs()[0];
    EXPECT_EQ(job.state, store::JobState::pending);
    EXPECT_EQ(job.attempts, 1);
    EXPECT_GT(job.next_attempt_at, std::chrono::system_clock::now());
    EXPECT_EQ(server_.effects()["complaints"], json::array({"alice@example.com"}));
}

// A refusal that echoes the key is stored without it.
TEST_F(MailgunLiftTest, TheApiKeyIsNeverStoredWithTheAnswer) {
    server_.faults(json::array({{{"method", "DELETE"},
                                 {"status", 400},
                                 {"body", {{"message", std::string("bad key ") + kApiKey}}}}}));
    take(mailgun_complaint("alice@example.com"));
    EXPECT_EQ(run_worker_once().dead, 1u);
    auto job = lift_jobs()[0];
    EXPECT_EQ(job.state, store::JobState::dead);
    EXPECT_NE(job.last_response.find("bad key"), std::string::npos);
    EXPECT_EQ(job.last_response.find(kApiKey), std::string::npos);
    EXPECT_EQ(job.last_error.find(kApiKey), std::string::npos);
}

}  // namespace
}  // namespace fbl::crm
