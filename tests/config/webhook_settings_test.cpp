// The webhooks: section (fblweb): SendGrid's public key and window,
// Postmark's credentials and allowed sources, each refused at load with the
// file named and its content never shown.
#include <filesystem>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "config/loader.h"
#include "tests/common/p256_signer.h"

namespace fbl::config {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string error_of(const std::string& yaml) {
    try {
        load_string(yaml, "test.yaml");
    } catch (const ConfigInvalid& invalid) {
        return invalid.what();
    }
    return "";
}

class WebhookSettingsFiles : public ::testing::Test {
  protected:
    WebhookSettingsFiles()
        : directory_(std::filesystem::temp_directory_path() /
                     ("fbl-webhooks-" + std::to_string(::getpid()))) {
        std::filesystem::create_directories(directory_);
    }
    ~WebhookSettingsFiles() override { std::filesystem::remove_all(directory_); }

    std::string file(const std::string& name, const std::string& content, unsigned mode = 0600) {
        auto path = directory_ / name;
        std::ofstream(path, std::ios::binary) << content;
        std::filesystem::permissions(path, static_cast<std::filesystem::perms>(mode));
        return path.string();
    }

    std::filesystem::path directory_;
};

TEST(WebhookSettings, DefaultsAreTheDocumentedOnes) {
    auto webhooks = load_string("", "empty.yaml").webhooks;
    EXPECT_TRUE(webhooks.sendgrid.public_key_file.empty());
    EXPECT_FALSE(webhooks.sendgrid.public_key);
    EXPECT_EQ(webhooks.sendgrid.max_age, std::chrono::hours(73));
    EXPECT_TRUE(webhooks.postmark.credentials.empty());
    EXPECT_TRUE(webhooks.postmark.allowed_sources.empty());
}

TEST_F(WebhookSettingsFiles, TheSendGridKeyIsLoadedFromBase64DerOrPem) {
    fbl::testing::TestKeyPair pair;
    for (const auto& text : {pair.public_base64_der() + "\n", pair.public_pem()}) {
        // A public key may be world-readable.
        auto path = file("sendgrid.key", text, 0644);
        auto sendgrid =
            load_string("webhooks:\n  sendgrid:\n    public_key_file: " + path + "\n", "t")
                .webhooks.sendgrid;
        ASSERT_TRUE(sendgrid.public_key);
        EXPECT_TRUE(sendgrid.public_key->verify("1[]", pair.sign("1[]")));
        EXPECT_EQ(sendgrid.public_key_file, path);
    }
}

TEST_F(WebhookSettingsFiles, ABadSendGridKeyFileIsAConfigErrorNamingTheFile) {
    auto other_curve = file("p384.key", fbl::testing::TestKeyPair("P-384").public_base64_der());
    EXPECT_THAT(error_of("webhooks:\n  sendgrid:\n    public_key_file: " + other_curve + "\n"),
                HasSubstr("webhooks.sendgrid.public_key_file: '" + other_curve +
                          "' holds a public key that is not ECDSA P-256"));
    auto garbage = file("garbage.key", "s3cr3t-looking-garbage");
    auto error = error_of("webhooks:\n  sendgrid:\n    public_key_file: " + garbage + "\n");
    EXPECT_THAT(error, HasSubstr(garbage));
    EXPECT_THAT(error, Not(HasSubstr("s3cr3t-looking-garbage")));
    auto missing = (directory_ / "missing.key").string();
    EXPECT_THAT(error_of("webhooks:\n  sendgrid:\n    public_key_file: " + missing + "\n"),
                HasSubstr("'" + missing + "' cannot be read"));
}

TEST(WebhookSettings, TheSendGridWindowIsBounded) {
    EXPECT_EQ(
        load_string("webhooks:\n  sendgrid:\n    max_age: 4d\n", "t").webhooks.sendgrid.max_age,
        std::chrono::hours(96));
    EXPECT_THAT(error_of("webhooks:\n  sendgrid:\n    max_age: 10s\n"),
                HasSubstr("webhooks.sendgrid.max_age"));
    EXPECT_THAT(error_of("webhooks:\n  sendgrid:\n    max_age: 400d\n"),
                HasSubstr("webhooks.sendgrid.max_age"));
}

TEST_F(WebhookSettingsFiles, PostmarkCredentialsAreOneLineUserColonPassword) {
    auto good = file("postmark", "hooks:pa:ss word\n");
    auto postmark = load_string("webhooks:\n  postmark:\n    credentials_file: " + good + "\n", "t")
                        .webhooks.postmark;
    EXPECT_EQ(postmark.credentials.reveal(), "hooks:pa:ss word");

    for (const char* content : {"nocolonsecret", ":s3cretpw", "s3cretuser:", "u:s3cret\nline"}) {
        auto bad = file("bad", content);
        auto error = error_of("webhooks:\n  postmark:\n    credentials_file: " + bad + "\n");
        EXPECT_THAT(error, HasSubstr("webhooks.postmark.credentials_file: file " + bad)) << content;
        EXPECT_THAT(error, Not(HasSubstr(content))) << content;
    }
    // A password others can read is no password.
    auto open = file("open", "hooks:password", 0644);
    EXPECT_THAT(error_of("webhooks:\n  postmark:\n    credentials_file: " + open + "\n"),
                HasSubstr("too open"));
}

TEST(WebhookSettings, PostmarkAllowedSourcesAreNetworks) {
    auto postmark =
        load_string("webhooks:\n  postmark:\n    allowed_sources: [3.134.147.250, \"2600::/16\"]\n",
                    "t")
            .webhooks.postmark;
    ASSERT_EQ(postmark.allowed_sources.size(), 2u);
    EXPECT_TRUE(postmark.allowed_sources[0].contains("3.134.147.250"));
    EXPECT_TRUE(postmark.allowed_sources[1].contains("2600::1"));
    EXPECT_THAT(error_of("webhooks:\n  postmark:\n    allowed_sources: [postmarkapp.com]\n"),
                HasSubstr("webhooks.postmark.allowed_sources[0]: 'postmarkapp.com' is not"));
}

TEST(WebhookSettings, UnknownKeysAreRefused) {
    EXPECT_THAT(error_of("webhooks:\n  sendgrid:\n    public_key: MFkw\n"),
                HasSubstr("webhooks.sendgrid.public_key: unknown key"));
}

}  // namespace
}  // namespace fbl::config
