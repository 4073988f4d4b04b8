#include <cstdio>
#include <fstream>

#include <gtest/gtest.h>
#include <sys/wait.h>

#include "config/loader.h"
#include "crm/mailgun_complaints.h"
#include "fake_crm_server.h"
#include "store/store.h"

// `fblctl import --from mailgun` as a real process against a local Mailgun
// (tests/crm/fake_mailgun.py) and a real store: every page or nothing.
namespace fbl::crm {
namespace {

using nlohmann::json;
using testing::FakeCrmServer;
using testing::TempDir;

constexpr const char* kApiKey = "key-SECRET-IMPORT-6666";

struct Result {
    int status = -1;
    std::string out;
};

class MailgunImportTest : public ::testing::Test {
  protected:
    void SetUp() override {
        testing::write_secret_file(dir_.path() / "mailgun.key", kApiKey);
        server_.setup({{"api_key", kApiKey},
                       {"domain", "example.com"},
                       {"page_size", 2},
                       {"complaints",
                        {"alice@example.com", "bob@example.com", "carol@example.com",
                         "dave@example.com", "erin@example.com"}}});
        config_path_ = (dir_.path() / "fblmilter.yaml").string();
        std::ofstream(config_path_)
            << "store:\n  backend: sqlite\n  sqlite:\n    path: '"
            << (dir_.path() / "fbl.db").string() << "'\nwebhooks:\n  mailgun:\n    api:\n"
            << "      domain: example.com\n      api_key_file: '"
            << (dir_.path() / "mailgun.key").string() << "'\n      base_url: '" << server_.base()
            << "'\n";
    }

    Result run(const std::string& arguments) {
        auto command = std::string(FBL_BINARY_DIR) + "/cli/fblctl -c '" + config_path_ + "' " +
                       arguments + " 2>&1";
        Result result;
        FILE* pipe = popen(command.c_str(), "r");
        char buffer[4096];
        while (auto n = fread(buffer, 1, sizeof buffer, pipe)) {
            result.out.append(buffer, n);
        }
        result.status = WEXITSTATUS(pclose(pipe));
        return result;
    }

    std::unique_ptr<store::Store> open_store() {
        return store::open_store(config::load_file(config_path_).store);
    }

    int gets() {
        int count = 0;
        for (const auto& request : server_.requests()) {
            count += request["method"] == "GET" ? 1 : 0;
        }
        return count;
    }

    FakeCrmServer server_{std::string(FBL_SOURCE_DIR) + "/tests/crm/fake_mailgun.py"};
    TempDir dir_;
    std::string config_path_;
};

TEST_F(MailgunImportTest, EveryPageIsImportedAsMarketingComplaints) {
    auto result = run("import --from mailgun");
    ASSERT_EQ(result.status, 0) << result.out;
    EXPECT_NE(result.out.find("imported 5 addresses from Mailgun"), std::string::npos)
        << result.out;
    EXPECT_EQ(gets(), 4);  // pages of 2, 2 and 1, then Mailgun's empty last page
    auto store = open_store();
    for (const char* address : {"alice@example.com", "bob@example.com", "carol@example.com",
                                "dave@example.com", "erin@example.com"}) {
        auto entry = store->find(address);
        ASSERT_TRUE(entry) << address;
        EXPECT_EQ(entry->scope, suppression::Scope::marketing);
        EXPECT_EQ(entry->reason, store::Reason::complaint);
        EXPECT_EQ(entry->source, "mailgun-import");
        // created_at "Tue, 15 Nov 2016 08:25:11 GMT"
        EXPECT_EQ(std::chrono::system_clock::to_time_t(entry->first_at), 1479198311);
    }
    EXPECT_EQ(result.out.find(kApiKey), std::string::npos);
}

TEST_F(MailgunImportTest, AMalformedPageImportsNothing) {
    server_.setup({{"malformed_page", 2}});
    auto result = run("import --from mailgun");
    EXPECT_EQ(result.status, 65) << result.out;
    EXPECT_NE(result.out.find("page 2: the answer is not a JSON object: nothing imported"),
              std::string::npos)
        << result.out;
    EXPECT_FALSE(open_store()->find("alice@example.com"));
}

TEST_F(MailgunImportTest, ANextPageOnAnotherHostIsNotFollowed) {
    server_.setup(
        {{"next_base", "http://mailgun.attacker.example:" + std::to_string(server_.port())}});
    auto result = run("import --from mailgun");
    EXPECT_EQ(result.status, 65) << result.out;
    EXPECT_NE(result.out.find("not followed"), std::string::npos) << result.out;
    EXPECT_EQ(gets(), 1);
    EXPECT_FALSE(open_store()->find("alice@example.com"));
}

TEST_F(MailgunImportTest, AWrongKeyIsRefusedWithoutShowingIt) {
    server_.setup({{"api_key", "another-key"}});
    auto result = run("import --from mailgun");
    EXPECT_EQ(result.status, 65) << result.out;
    EXPECT_NE(result.out.find("HTTP 401"), std::string::npos) << result.out;
    EXPECT_EQ(result.out.find(kApiKey), std::string::npos);
}

TEST_F(MailgunImportTest, AFileAndFromAreOneOrTheOther) {
    EXPECT_EQ(run("import --from mailgun some.csv").status, 2);
    EXPECT_EQ(run("import").status, 2);
}

TEST(MailgunPagesTest, SameOriginComparesSchemeHostAndPort) {
    EXPECT_TRUE(same_origin("https://api.mailgun.net/v3/x?page=next", "https://api.mailgun.net"));
    EXPECT_TRUE(same_origin("https://api.mailgun.net:443/v3/x", "https://api.mailgun.net"));
    EXPECT_FALSE(same_origin("http://api.mailgun.net/v3/x", "https://api.mailgun.net"));
    EXPECT_FALSE(same_origin("https://api.mailgun.net.evil.example/v3", "https://api.mailgun.net"));
    EXPECT_FALSE(same_origin("https://api.mailgun.net:8443/v3", "https://api.mailgun.net"));
    EXPECT_FALSE(
        same_origin("https://evil.example/?https://api.mailgun.net", "https://api.mailgun.net"));
    EXPECT_FALSE(same_origin("not a url", "https://api.mailgun.net"));
}

TEST(MailgunPagesTest, APageIsTheDocumentedShapeOrAnError) {
    auto page = parse_complaints_page(
        R"({"items":[{"address":"a@x.example","created_at":"Tue, 15 Nov 2016 08:25:11 GMT"}],)"
        R"("paging":{"next":"https://api.mailgun.net/v3/x?page=next"}})");
    ASSERT_EQ(page.items.size(), 1u);
    EXPECT_EQ(page.items[0].address, "a@x.example");
    EXPECT_TRUE(page.items[0].created_at);
    EXPECT_EQ(page.next, "https://api.mailgun.net/v3/x?page=next");
    EXPECT_THROW(parse_complaints_page("[]"), MailgunApiError);
    EXPECT_THROW(parse_complaints_page(R"({"paging":{}})"), MailgunApiError);
    EXPECT_THROW(parse_complaints_page(R"({"items":[{"count":1}]})"), MailgunApiError);
    EXPECT_THROW(parse_complaints_page(R"({"items":[],"paging":{"next":7}})"), MailgunApiError);
}

}  // namespace
}  // namespace fbl::crm
