// webhooks.mailgun: the signing key, the API settings and lift_blanket_stops.
#include <filesystem>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "config/loader.h"

namespace fbl::config {
namespace {

using ::testing::HasSubstr;

class MailgunSettings : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() /
               ("fbl-mailgun-settings-" + std::to_string(getpid()));
        std::filesystem::create_directories(dir_);
        key_file_ = (dir_ / "api.key").string();
        std::ofstream(key_file_) << "key-SECRET-7777\n";
        std::filesystem::permissions(
            key_file_, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    std::string api(const std::string& base_url = "") const {
        return "webhooks:\n  mailgun:\n    api:\n      domain: mg.example.com\n"
               "      api_key_file: '" +
               key_file_ + "'\n" + (base_url.empty() ? "" : "      base_url: " + base_url + "\n");
    }

    static std::string error_of(const std::string& yaml) {
        try {
            load_string(yaml, "test.yaml");
        } catch (const ConfigInvalid& invalid) {
            return invalid.what();
        }
        return "";
    }

    std::filesystem::path dir_;
    std::string key_file_;
};

TEST_F(MailgunSettings, DefaultsAreTheDocumentedOnes) {
    auto mailgun = load_string("", "empty.yaml").webhooks.mailgun;
    EXPECT_TRUE(mailgun.signing_key.empty());
    EXPECT_EQ(mailgun.max_age, std::chrono::hours(9));
    EXPECT_EQ(mailgun.api.base_url, "https://api.mailgun.net");
    EXPECT_FALSE(mailgun.api.configured());
    EXPECT_FALSE(mailgun.lift_blanket_stops);
}

TEST_F(MailgunSettings, TheApiAndTheLiftAreRead) {
    auto mailgun = load_string(api("https://api.eu.mailgun.net/") +
                                   "    lift_blanket_stops: true\n    max_age: 1h\n"
                                   "    signing_key_file: '" +
                                   key_file_ + "'\n",
                               "t")
                       .webhooks.mailgun;
    EXPECT_EQ(mailgun.api.domain, "mg.example.com");
    EXPECT_EQ(mailgun.api.api_key.reveal(), "key-SECRET-7777");
    EXPECT_EQ(mailgun.api.base_url, "https://api.eu.mailgun.net");
    EXPECT_TRUE(mailgun.lift_blanket_stops);
    EXPECT_EQ(mailgun.max_age, std::chrono::hours(1));
    EXPECT_EQ(mailgun.signing_key.reveal(), "key-SECRET-7777");
}

TEST_F(MailgunSettings, TheLiftNeedsTheApi) {
    EXPECT_THAT(error_of("webhooks:\n  mailgun:\n    lift_blanket_stops: true\n"),
                HasSubstr("webhooks.mailgun.lift_blanket_stops"));
}

TEST_F(MailgunSettings, PlainHttpOnlyToALoopbackHost) {
    EXPECT_EQ(load_string(api("http://127.0.0.1:8080"), "t").webhooks.mailgun.api.base_url,
              "http://127.0.0.1:8080");
    EXPECT_THAT(error_of(api("http://api.mailgun.net")), HasSubstr("plain http"));
    EXPECT_THAT(error_of(api("http://127.0.0.1.evil.example")), HasSubstr("plain http"));
    EXPECT_THAT(error_of(api("ftp://api.mailgun.net")), HasSubstr("webhooks.mailgun.api.base_url"));
}

TEST_F(MailgunSettings, TheDomainIsADomainName) {
    EXPECT_THAT(error_of("webhooks:\n  mailgun:\n    api:\n      domain: 'a/../b'\n"),
                HasSubstr("webhooks.mailgun.api.domain"));
}

TEST_F(MailgunSettings, TheLiftsAdapterNameIsItsOwn) {
    std::string yaml = api() + "    lift_blanket_stops: true\n" +
                       "crm:\n  adapters:\n    - name: mailgun\n      preset: brevo\n";
    EXPECT_THAT(error_of(yaml), HasSubstr("adapter name 'mailgun'"));
}

}  // namespace
}  // namespace fbl::config
