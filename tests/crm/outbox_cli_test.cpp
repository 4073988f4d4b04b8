#include <algorithm>
#include <cstdio>
#include <fstream>
#include <set>
#include <thread>

#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include "config/loader.h"
#include "fake_crm_server.h"
#include "store/store.h"

// `fblctl outbox ...` as real processes against a real store and the fake CRM,
// including a worker killed with requests in flight.
namespace fbl::crm {
namespace {

using nlohmann::json;
using testing::FakeCrmServer;
using testing::TempDir;

constexpr const char* kToken = "tok-SECRET-CLI-3333";

struct Result {
    int status = -1;
    std::string out;
};

class OutboxCliTest : public ::testing::Test {
  protected:
    void SetUp() override {
        testing::write_secret_file(dir_.path() / "token", kToken);
        testing::write_secret_file(dir_.path() / "app_token", "app-SECRET-CLI-4444");
        config_path_ = (dir_.path() / "fblmilter.yaml").string();
        std::ofstream(config_path_)
            << "store:\n  backend: sqlite\n  sqlite:\n    path: '"
            << (dir_.path() / "fbl.db").string() << "'\ncrm:\n  lease: 2s\n  adapters:\n"
            << "    - name: so\n      preset: superoffice\n      settings: {base: '"
            << server_.base() << "'}\n      secrets:\n        token: {value_file: '"
            << (dir_.path() / "token").string() << "'}\n        app_token: {value_file: '"
            << (dir_.path() / "app_token").string()
            << "'}\n      concurrency: 4\n      rate_per_second: 1000\n"
            << "      request_timeout: 10s\n      allow_insecure: true\n"
            << "      retry: {initial_delay: 1s, max_delay: 1s, give_up_after: 1h}\n";
        config_ = config::load_file(config_path_);
        store_ = store::open_store(config_.store);
    }

    void complain(const std::string& email) {
        store::Complaint complaint;
        complaint.dedup_key = "cli-report-" + email;
        complaint.kind = store::ComplaintKind::complaint;
        complaint.trusted = true;
        complaint.received_at = std::chrono::system_clock::now();
        complaint.recipients.push_back({email, email, "original-rcpt-to"});
        store::OutboxJob job;
        job.adapter = "so";
        job.idempotency_key = complaint.dedup_key + ":so";
        job.payload_json = json{{"email", email}, {"reason", "complaint"}}.dump();
        store_->record_complaint(complaint, suppression::Scope::marketing, std::nullopt, {job});
    }

    std::string fblctl() const { return std::string(FBL_BINARY_DIR) + "/cli/fblctl"; }

    Result run(const std::string& arguments) {
        auto command = fblctl() + " -c '" + config_path_ + "' " + arguments + " 2>&1";
        Result result;
        FILE* pipe = popen(command.c_str(), "r");
        char buffer[4096];
        while (auto n = fread(buffer, 1, sizeof buffer, pipe)) {
            result.out.append(buffer, n);
        }
        result.status = WEXITSTATUS(pclose(pipe));
        return result;
    }

    pid_t spawn_worker() {
        std::string binary = fblctl();
        const char* argv[] = {binary.c_str(), "-c", config_path_.c_str(), "outbox", "run", nullptr};
        pid_t pid = 0;
        EXPECT_EQ(
            posix_spawn(&pid, binary.c_str(), nullptr, nullptr, const_cast<char**>(argv), environ),
            0);
        return pid;
    }

    std::size_t deletes_seen() {
        std::size_t count = 0;
        for (const auto& request : server_.requests()) {
            count += request["method"] == "DELETE" ? 1 : 0;
        }
        return count;
    }

    void settle_with_run_once() {
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
        while (std::chrono::steady_clock::now() < deadline) {
            auto result = run("outbox run --once");
            ASSERT_EQ(result.status, 0) << result.out;
            if (store_->outbox(fbl::store::JobState::pending).empty() &&
                store_->outbox(fbl::store::JobState::leased).empty()) {
                return;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(250));
        }
        FAIL() << "jobs did not settle";
    }

    TempDir dir_;
    FakeCrmServer server_;
    std::string config_path_;
    config::Config config_;
    std::unique_ptr<store::Store> store_;
};

TEST_F(OutboxCliTest, KilledWorkerLosesNothingAndDoublesNothing) {
    json persons;
    for (int i = 1; i <= 8; ++i) {
        persons["p" + std::to_string(i) + "@x.example"] = {1000 + i};
        complain("p" + std::to_string(i) + "@x.example");
    }
    server_.setup({{"persons", persons}});
    // Revocations answer late: the worker dies while they are in flight, and
    // the CRM still applies them after the client is gone.
    server_.faults(json::array({{{"method", "DELETE"}, {"delay_ms", 1500}, {"times", 100}}}));
    auto pid = spawn_worker();
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (deletes_seen() < 4 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ASSERT_GE(deletes_seen(), 4u);
    kill(pid, SIGKILL);
    std::set<std::string> sent_before_kill;
    for (const auto& request : server_.requests()) {
        if (request["method"] == "DELETE") {
            sent_before_kill.insert(request["path"].get<std::string>());
        }
    }
    waitpid(pid, nullptr, 0);
    EXPECT_FALSE(store_->outbox(fbl::store::JobState::leased).empty());

    server_.faults(json::array());
    settle_with_run_once();
    auto jobs = store_->outbox(std::nullopt);
    ASSERT_EQ(jobs.size(), 8u);
    for (const auto& job : jobs) {
        EXPECT_EQ(job.state, fbl::store::JobState::done) << job.id << ": " << job.last_error;
    }
    json once;
    for (int i = 1; i <= 8; ++i) {
        once[std::to_string(1000 + i)] = 1;
    }
    EXPECT_EQ(server_.effects()["consent_revoked"], once);
    // The CRM answers a repeated revocation 404 and the job counts it done,
    // so effects alone cannot see a double send: count the requests. Only a
    // revocation in flight at the kill may be sent again.
    auto counts = server_.request_counts();
    for (int i = 1; i <= 8; ++i) {
        auto person = "/api/v1/Person/" + std::to_string(1000 + i) + "/";
        bool in_flight =
            std::any_of(sent_before_kill.begin(), sent_before_kill.end(),
                        [&](const std::string& path) { return path.starts_with(person); });
        int sent = server_.requests_counted("DELETE " + person);
        EXPECT_GE(sent, 1) << person;
        EXPECT_LE(sent, in_flight ? 2 : 1) << person;
    }
    // A drained outbox sends nothing.
    ASSERT_EQ(run("outbox run --once").status, 0);
    EXPECT_EQ(server_.request_counts(), counts);
}

TEST_F(OutboxCliTest, ListShowRetryAndPurge) {
    server_.setup({{"persons", {{"ann@x.example", {77}}}}, {"token", kToken}});
    server_.faults(json::array({{{"method", "DELETE"},
                                 {"status", 400},
                                 {"body", std::string("{\"Error\":\"bad ticket ") + kToken + "\"}"},
                                 {"times", 1}}}));
    complain("ann@x.example");
    settle_with_run_once();

    auto list = run("outbox list --state dead --format json");
    ASSERT_EQ(list.status, 0) << list.out;
    auto dead = json::parse(list.out);
    ASSERT_EQ(dead.size(), 1u);
    auto id = dead[0]["id"].get<std::int64_t>();

    auto show = run("outbox show " + std::to_string(id));
    ASSERT_EQ(show.status, 0) << show.out;
    EXPECT_NE(show.out.find("HTTP 400"), std::string::npos) << show.out;
    EXPECT_NE(show.out.find("DELETE"), std::string::npos) << show.out;
    EXPECT_EQ(show.out.find(kToken), std::string::npos) << show.out;
    EXPECT_EQ(run("outbox show 999999").status, 65);

    auto retry = run("outbox retry --dead");
    EXPECT_EQ(retry.status, 0) << retry.out;
    EXPECT_NE(retry.out.find("requeued 1"), std::string::npos) << retry.out;
    settle_with_run_once();
    EXPECT_EQ(store_->outbox_job(id)->state, fbl::store::JobState::done);
    EXPECT_EQ(server_.effects()["consent_revoked"], json({{"77", 1}}));
    // One refused attempt, one after the retry; nothing else.
    EXPECT_EQ(server_.requests_counted("DELETE "), 2);
    EXPECT_EQ(server_.requests_counted("GET /api/v1/Person"), 2);

    EXPECT_EQ(run("outbox purge --done --older-than soon").status, 2);
    auto purge = run("outbox purge --done --older-than 0s");
    EXPECT_EQ(purge.status, 0) << purge.out;
    EXPECT_FALSE(store_->outbox_job(id));
}

// A stored answer written before a secret was rotated in, or by an older
// version, still shows no secret: not even percent-encoded in a URL.
TEST_F(OutboxCliTest, ListAndShowHidePercentEncodedSecrets) {
    const std::string secret = "tok/SECRET+CLI 5555";
    std::ofstream(dir_.path() / "token") << secret << "\n";
    complain("ann@x.example");
    auto id = store_->outbox(fbl::store::JobState::pending).at(0).id;
    store_->dead_letter_job(id, "GET /persons?ticket=tok%2FSECRET%2BCLI%205555: HTTP 400",
                            "GET /persons?ticket=tok%2fSECRET%2bCLI%205555\nPOST form "
                            "ticket=tok%2FSECRET%2BCLI+5555\n");
    for (const auto& command :
         {std::string("outbox show ") + std::to_string(id),
          std::string("outbox list --format json"), std::string("outbox list"),
          std::string("outbox list --format csv")}) {
        auto result = run(command);
        ASSERT_EQ(result.status, 0) << command << ": " << result.out;
        EXPECT_EQ(result.out.find("SECRET"), std::string::npos) << command << ": " << result.out;
        EXPECT_NE(result.out.find("[redacted]"), std::string::npos)
            << command << ": " << result.out;
    }
}

// fblctl's own log lines follow logging.pii like the daemon's.
TEST_F(OutboxCliTest, WorkerLogLinesHashAddressesWithPiiHashed) {
    std::ofstream(config_path_, std::ios::app) << "logging:\n  pii: hashed\n  level: debug\n";
    server_.setup({{"persons", {{"ann@x.example", {77}}}}, {"token", kToken}});
    complain("ann@x.example");
    auto result = run("outbox run --once");
    ASSERT_EQ(result.status, 0) << result.out;
    EXPECT_NE(result.out.find("crm: job"), std::string::npos) << result.out;
    EXPECT_EQ(result.out.find("ann@x.example"), std::string::npos) << result.out;
    EXPECT_NE(result.out.find("h:"), std::string::npos) << result.out;
}

}  // namespace
}  // namespace fbl::crm
