#include <cstdlib>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "config/loader.h"
#include "crm/outbox_worker.h"
#include "fake_crm_server.h"
#include "store/store.h"

// TLS peers are verified: a CRM whose certificate the trust store does not
// hold is not talked to; naming its CA in ca_file makes it work.
namespace fbl::crm {
namespace {

using nlohmann::json;
using testing::FakeCrmServer;
using testing::TempDir;

class TlsTest : public ::testing::Test {
  protected:
    static std::string make_certificate(const TempDir& dir) {
        auto cert = (dir.path() / "cert.pem").string();
        auto key = (dir.path() / "key.pem").string();
        auto command =
            "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 "
            "-addext subjectAltName=IP:127.0.0.1 -keyout '" +
            key + "' -out '" + cert + "' >/dev/null 2>&1";
        if (std::system(command.c_str()) != 0) {
            throw std::runtime_error("openssl req failed");
        }
        return cert;
    }

    void run(const std::string& ca_line) {
        testing::write_secret_file(dir_.path() / "secret",
                                   "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        auto yaml = "store:\n  backend: sqlite\n  sqlite:\n    path: '" +
                    (dir_.path() / "fbl.db").string() +
                    "'\ncrm:\n  adapters:\n    - name: hook\n      preset: webhook\n"
                    "      settings: {url: '" +
                    server_.base() +
                    "/webhook'}\n      secrets:\n        signing_secret: "
                    "{value_file: '" +
                    (dir_.path() / "secret").string() + "'}\n" + ca_line +
                    "      retry: {initial_delay: 60s, max_delay: 60s, give_up_after: 1h}\n";
        auto config = config::load_string(yaml, "tls.yaml");
        store_ = store::open_store(config.store);
        store::Complaint complaint;
        complaint.dedup_key = "tls";
        complaint.kind = store::ComplaintKind::complaint;
        complaint.trusted = true;
        complaint.recipients.push_back({"a@x.example", "a@x.example", "test"});
        store::OutboxJob job;
        job.adapter = "hook";
        job.payload_json = R"({"email":"a@x.example"})";
        store_->record_complaint(complaint, suppression::Scope::marketing, std::nullopt, {job});
        OutboxWorker worker(config, *store_);
        worker.run_once();
    }

    TempDir dir_;
    std::string cert_ = make_certificate(dir_);
    FakeCrmServer server_{std::string(FBL_SOURCE_DIR) + "/tests/crm/fake_crm.py",
                          {"--cert", cert_, "--key", (dir_.path() / "key.pem").string()},
                          cert_};
    std::unique_ptr<store::Store> store_;
};

TEST_F(TlsTest, UnknownCertificateIsRefused) {
    server_.setup({{"webhook_secret", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}});
    run("");
    auto job = store_->outbox(std::nullopt).at(0);
    EXPECT_EQ(job.state, fbl::store::JobState::pending);
    EXPECT_NE(job.last_error.find("no answer"), std::string::npos) << job.last_error;
    EXPECT_TRUE(server_.effects()["webhook"].empty());
}

TEST_F(TlsTest, CaFileMakesTheCertificateTrusted) {
    server_.setup({{"webhook_secret", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}});
    run("      ca_file: '" + cert_ + "'\n");
    auto job = store_->outbox(std::nullopt).at(0);
    EXPECT_EQ(job.state, fbl::store::JobState::done) << job.last_error;
    EXPECT_EQ(server_.effects()["webhook"].size(), 1u);
}

}  // namespace
}  // namespace fbl::crm
