// The web: section (fblweb): defaults, each key's validation, and the TLS
// files checked by fblweb --check-config.
#include <filesystem>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "config/access_check.h"
#include "config/loader.h"

namespace fbl::config {
namespace {

using ::testing::HasSubstr;

std::string error_of(const std::string& yaml) {
    try {
        load_string(yaml, "test.yaml");
    } catch (const ConfigInvalid& invalid) {
        return invalid.what();
    }
    return "";
}

TEST(WebSettings, DefaultsAreTheDocumentedOnes) {
    auto web = load_string("", "empty.yaml").web;
    EXPECT_EQ(web.listen.host, "127.0.0.1");
    EXPECT_EQ(web.listen.port, 8891);
    EXPECT_EQ(web.threads, 8);
    EXPECT_EQ(web.request_timeout, std::chrono::seconds(10));
    EXPECT_EQ(web.max_body, 1024u * 1024u);
    EXPECT_FALSE(web.tls.enabled());
    EXPECT_TRUE(web.trusted_proxies.empty());
}

TEST(WebSettings, ListenTakesIpv4Ipv6AndLocalhost) {
    EXPECT_EQ(load_string("web:\n  listen: \"[::1]:8891\"\n", "t").web.listen.host, "[::1]");
    EXPECT_EQ(load_string("web:\n  listen: 0.0.0.0:443\n", "t").web.listen.port, 443);
    EXPECT_EQ(load_string("web:\n  listen: localhost:80\n", "t").web.listen.host, "127.0.0.1");
}

TEST(WebSettings, BadListenIsRefusedWithItsPlace) {
    EXPECT_THAT(error_of("web:\n  listen: ::1:8891\n"), HasSubstr("test.yaml:2:11: web.listen"));
    EXPECT_THAT(error_of("web:\n  listen: 127.0.0.1\n"), HasSubstr("web.listen"));
    EXPECT_THAT(error_of("web:\n  listen: 127.0.0.1:0\n"), HasSubstr("web.listen"));
    EXPECT_THAT(error_of("web:\n  listen: fbl.example.com:80\n"), HasSubstr("web.listen"));
}

TEST(WebSettings, ThreadsTimeoutAndBodyAreBounded) {
    EXPECT_THAT(error_of("web:\n  threads: 0\n"), HasSubstr("web.threads"));
    EXPECT_THAT(error_of("web:\n  threads: 65\n"), HasSubstr("web.threads"));
    EXPECT_EQ(load_string("web:\n  threads: 64\n", "t").web.threads, 64);
    EXPECT_THAT(error_of("web:\n  request_timeout: soon\n"), HasSubstr("web.request_timeout"));
    EXPECT_EQ(load_string("web:\n  request_timeout: 2m\n", "t").web.request_timeout,
              std::chrono::minutes(2));
    EXPECT_THAT(error_of("web:\n  max_body: 10\n"), HasSubstr("web.max_body"));
    EXPECT_EQ(load_string("web:\n  max_body: 64KiB\n", "t").web.max_body, 65536u);
}

TEST(WebSettings, TlsNeedsBothFiles) {
    EXPECT_THAT(error_of("web:\n  tls:\n    cert_file: /etc/c.pem\n"),
                HasSubstr("web.tls.key_file: cert_file and key_file go together"));
    EXPECT_THAT(error_of("web:\n  tls:\n    key_file: /etc/k.pem\n"),
                HasSubstr("web.tls.cert_file"));
    auto web = load_string("web:\n  tls:\n    cert_file: /c.pem\n    key_file: /k.pem\n", "t").web;
    EXPECT_TRUE(web.tls.enabled());
    EXPECT_EQ(web.tls.key_file, "/k.pem");
}

TEST(WebSettings, TrustedProxiesAreNetworksOfBothFamilies) {
    auto web =
        load_string("web:\n  trusted_proxies: [10.0.0.0/8, \"::1\", \"fd00::/8\"]\n", "t").web;
    ASSERT_EQ(web.trusted_proxies.size(), 3u);
    EXPECT_TRUE(web.trusted_proxies[0].contains("10.1.2.3"));
    EXPECT_TRUE(web.trusted_proxies[1].contains("::1"));
    EXPECT_TRUE(web.trusted_proxies[2].contains("fd12::5"));
    EXPECT_THAT(error_of("web:\n  trusted_proxies: [10.0.0.0/33]\n"),
                HasSubstr("web.trusted_proxies[0]: '10.0.0.0/33' is not an address"));
}

TEST(WebSettings, UnreadableTlsFilesAreAccessProblems) {
    auto directory =
        std::filesystem::temp_directory_path() / ("fbl-web-tls-" + std::to_string(::getpid()));
    std::filesystem::create_directories(directory);
    auto cert = directory / "cert.pem";
    std::ofstream(cert) << "x";
    WebSettings web;
    web.tls.cert_file = cert.string();
    web.tls.key_file = (directory / "missing.pem").string();
    auto problems = web_access_problems(web);
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_THAT(problems[0], HasSubstr("missing.pem"));
    EXPECT_TRUE(web_access_problems(WebSettings{}).empty());
    std::filesystem::remove_all(directory);
}

TEST(WebSettings, AMissingSesCertificateDirIsAnAccessProblem) {
    WebhookSettings webhooks;
    EXPECT_TRUE(webhook_access_problems(webhooks).empty());
    webhooks.ses.certificate_dir = std::filesystem::temp_directory_path().string();
    EXPECT_TRUE(webhook_access_problems(webhooks).empty());
    webhooks.ses.certificate_dir = "/nonexistent/fbl-sns-certs";
    auto problems = webhook_access_problems(webhooks);
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_THAT(problems[0], HasSubstr("/nonexistent/fbl-sns-certs is not a directory"));
}

TEST(ConsoleSettings, DefaultsAreTheDocumentedOnes) {
    auto console = load_string("", "empty.yaml").web.console;
    EXPECT_FALSE(console.enabled);
    EXPECT_FALSE(console.listen.has_value());
    EXPECT_EQ(console.users_file, "/etc/fblmilter/console-users");
    EXPECT_EQ(console.session_idle, std::chrono::hours(1));
    EXPECT_EQ(console.session_lifetime, std::chrono::hours(12));
    EXPECT_EQ(console.secure_cookie, SecureCookie::automatic);
    EXPECT_EQ(console.login_burst, 10);
}

TEST(ConsoleSettings, OwnListenerIsTakenAndMustDifferFromTheSharedOne) {
    auto console =
        load_string("web:\n  console:\n    enabled: true\n    listen: 10.0.0.5:8892\n", "t")
            .web.console;
    ASSERT_TRUE(console.listen.has_value());
    EXPECT_EQ(console.listen->host, "10.0.0.5");
    EXPECT_EQ(console.listen->port, 8892);
    EXPECT_THAT(error_of("web:\n  listen: 127.0.0.1:8891\n  console:\n    listen: "
                         "127.0.0.1:8891\n"),
                HasSubstr("web.console"));
    EXPECT_THAT(error_of("web:\n  console:\n    listen: nowhere\n"),
                HasSubstr("web.console.listen"));
}

TEST(ConsoleSettings, BadValuesAreRefusedByName) {
    EXPECT_THAT(error_of("web:\n  console:\n    secure_cookie: sometimes\n"),
                HasSubstr("web.console.secure_cookie"));
    EXPECT_THAT(error_of("web:\n  console:\n    session_idle: 5s\n"),
                HasSubstr("web.console.session_idle"));
    EXPECT_THAT(error_of("web:\n  console:\n    session_idle: 2h\n    session_lifetime: 1h\n"),
                HasSubstr("web.console.session_idle"));
    EXPECT_THAT(error_of("web:\n  console:\n    login_rate_limit:\n      burst: 0\n"),
                HasSubstr("web.console.login_rate_limit.burst"));
}

}  // namespace
}  // namespace fbl::config
