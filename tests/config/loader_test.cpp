#include "config/loader.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

namespace fbl::config {
namespace {

using ::testing::HasSubstr;

const std::string kExample = std::string(FBL_SOURCE_DIR) + "/config/fblmilter.yaml";

std::vector<ConfigError> errors_of(const std::string& yaml) {
    try {
        load_string(yaml, "test.yaml");
    } catch (const ConfigInvalid& invalid) {
        return invalid.errors();
    }
    return {};
}

std::string only_error(const std::string& yaml) {
    auto errors = errors_of(yaml);
    EXPECT_EQ(errors.size(), 1u) << yaml;
    return errors.empty() ? "" : errors.front().to_string();
}

// Every field, rendered; two configs are equal when their renderings are.
std::string describe(const Config& c) {
    std::ostringstream out;
    auto list = [&](const std::vector<std::string>& items) {
        for (const auto& item : items)
            out << item << ',';
        out << ';';
    };
    out << c.milter.socket << c.milter.socket_mode << c.milter.user << c.milter.group
        << c.milter.pid_file << c.milter.timeout.count() << c.milter.report_size_limit
        << c.milter.backlog << ';';
    out << c.outbound.authenticated;
    for (const auto& network : c.outbound.networks)
        out << network.text() << ',';
    list(c.outbound.daemon_names);
    out << static_cast<int>(c.outbound.scope);
    list(c.outbound.marketing.headers_present);
    for (const auto& match : c.outbound.marketing.header_matches)
        out << match.header << '=' << match.pattern << (match.compiled ? "+" : "-") << ',';
    list(c.outbound.marketing.sender_domains);
    list(c.outbound.marketing.auth_users);
    out << c.outbound.reply.code << c.outbound.reply.xcode << c.outbound.reply.text
        << static_cast<int>(c.outbound.non_smtpd);
    list(c.outbound.mailing_id_headers);
    list(c.feedback.addresses);
    out << c.feedback.detect_by_content_type << static_cast<int>(c.feedback.trust);
    list(c.feedback.reporter_domains);
    list(c.feedback.our_domains);
    out << c.feedback.max_recipients_per_report << c.feedback.dkim_tempfail_for.count();
    out << c.feedback.reference_header.name << c.feedback.reference_header.keys.size()
        << c.feedback.reference_header.active_key << c.feedback.reference_header.max_age.count()
        << static_cast<int>(c.feedback.disposition) << static_cast<int>(c.feedback.non_report);
    list(c.feedback.verp_patterns);
    out << static_cast<int>(c.store.backend) << c.store.sqlite.path
        << c.store.sqlite.busy_timeout.count() << c.store.postgres.conninfo
        << c.store.postgres.connect_timeout.count() << c.store.postgres.statement_timeout.count()
        << c.store.follow_interval.count() << ';';
    out << c.suppression.lowercase_local_part;
    list(c.suppression.subaddress.domains);
    out << c.suppression.subaddress.delimiter << c.suppression.gmail_dot_folding
        << c.suppression.default_expiry.has_value()
        << static_cast<int>(c.suppression.complaint_scope) << ';';
    out << c.crm.adapters.size() << c.crm.worker_in_daemon << c.crm.lease.count() << ';';
    out << c.send_log.enabled << c.send_log.retention.count() << c.send_log.queue_capacity << ';';
    out << static_cast<int>(c.logging.destination) << static_cast<int>(c.logging.level)
        << static_cast<int>(c.logging.pii) << ';';
    out << static_cast<int>(c.on_error.internal) << static_cast<int>(c.on_error.store_unavailable);
    out << c.metrics.listen << c.stats.warning_rate << c.stats.critical_rate << ';';
    out << c.web.public_url << c.unsubscribe.enabled << static_cast<int>(c.unsubscribe.add_headers)
        << c.unsubscribe.token_lifetime.count();
    out << c.web.listen.host << c.web.listen.port << c.web.threads << c.web.request_timeout.count()
        << c.web.max_body << c.web.tls.cert_file << c.web.tls.key_file;
    for (const auto& network : c.web.trusted_proxies)
        out << network.text() << ',';
    out << c.webhooks.sendgrid.public_key_file << c.webhooks.sendgrid.max_age.count()
        << c.webhooks.postmark.credentials.empty() << c.webhooks.postmark.allowed_sources.size();
    for (const auto& arn : c.webhooks.ses.topic_arns)
        out << arn << ',';
    out << c.webhooks.ses.certificate_dir << c.webhooks.ses.max_age.count() << ';';
    return out.str();
}

TEST(ConfigLoader, ExampleLoadsAndEqualsTheDocumentedDefaults) {
    auto example = load_file(kExample);
    auto empty = load_string("", "empty.yaml");
    EXPECT_EQ(describe(example), describe(empty));

    // The built-in defaults are the ones DESIGN.md and the issues name.
    EXPECT_EQ(example.milter.socket, "inet:8890@127.0.0.1");
    EXPECT_EQ(example.outbound.reply.code, "550");
    EXPECT_EQ(example.outbound.reply.xcode, "5.7.1");
    EXPECT_EQ(example.outbound.scope, EnforcementScope::marketing);
    EXPECT_EQ(example.feedback.trust, TrustPolicy::either);
    EXPECT_EQ(example.feedback.reference_header.name, "X-FBL-Ref");
    EXPECT_EQ(example.feedback.reference_header.max_age, std::chrono::hours(24 * 400));
    EXPECT_EQ(example.feedback.max_recipients_per_report, 5);
    EXPECT_EQ(example.feedback.dkim_tempfail_for, std::chrono::hours(24 * 3));
    EXPECT_TRUE(example.feedback.our_domains.empty());
    EXPECT_TRUE(example.warnings.empty());
    EXPECT_EQ(example.store.backend, StoreBackend::sqlite);
    EXPECT_EQ(example.store.sqlite.path, std::filesystem::absolute("var/fblmilter.db").string());
    EXPECT_EQ(example.send_log.retention, std::chrono::hours(24 * 30));
    EXPECT_EQ(example.on_error.internal, FailureAction::tempfail);
    EXPECT_EQ(example.on_error.store_unavailable, FailureAction::tempfail);
    EXPECT_FALSE(example.suppression.default_expiry);
    EXPECT_FALSE(example.unsubscribe.enabled);
    EXPECT_EQ(example.unsubscribe.add_headers, UnsubscribeHeaders::missing);
    EXPECT_EQ(example.unsubscribe.token_lifetime, std::chrono::hours(24 * 365));
    EXPECT_TRUE(example.web.public_url.empty());
    EXPECT_FALSE(example.webhooks.ses.enabled());
    EXPECT_EQ(example.webhooks.ses.max_age, std::chrono::hours(1));
    ASSERT_EQ(example.outbound.networks.size(), 2u);
    EXPECT_TRUE(example.outbound.networks[0].contains("127.0.0.1"));
}

TEST(ConfigLoader, UnknownKeyIsReportedWithPlaceAndPath) {
    EXPECT_EQ(only_error("milter:\n  sockett: inet:1@127.0.0.1\n"),
              "test.yaml:2:3: milter.sockett: unknown key");
    EXPECT_EQ(only_error("millter: {}\n"), "test.yaml:1:1: millter: unknown key");
}

TEST(ConfigLoader, WrongTypeIsReported) {
    EXPECT_EQ(only_error("milter:\n  timeout: [1, 2]\n"),
              "test.yaml:2:12: milter.timeout: expected a single value, found a list");
    EXPECT_EQ(only_error("outbound:\n  authenticated: maybe\n"),
              "test.yaml:2:18: outbound.authenticated: expected true or false, found 'maybe'");
    EXPECT_EQ(only_error("outbound: [a]\n"),
              "test.yaml:1:11: outbound: expected a mapping, found a list");
}

TEST(ConfigLoader, OutOfRangeValueIsReported) {
    EXPECT_EQ(only_error("milter:\n  backlog: 0\n"),
              "test.yaml:2:12: milter.backlog: value 0 is out of range [1, 65535]");
    EXPECT_THAT(only_error("stats:\n  warning_rate: 2\n"),
                HasSubstr("test.yaml:2:17: stats.warning_rate: value 2 is out of range"));
}

TEST(ConfigLoader, ComplaintRateWarningAboveCriticalIsReported) {
    EXPECT_EQ(only_error("stats:\n  warning_rate: 0.005\n  critical_rate: 0.003\n"),
              "test.yaml:2:17: stats.warning_rate: must not be above critical_rate");
}

TEST(ConfigLoader, BadSocketSpecIsReported) {
    EXPECT_EQ(only_error("milter:\n  socket: inet:x@localhost\n"),
              "test.yaml:2:11: milter.socket: 'inet:x@localhost': port must be a number from 1 "
              "to 65535");
    EXPECT_THAT(only_error("milter:\n  socket: /tmp/sock\n"), HasSubstr("expected inet:PORT@HOST"));
}

TEST(ConfigLoader, MetricsListenMustBeALoopbackAddressAndPort) {
    EXPECT_THAT(only_error("metrics:\n  listen: 0.0.0.0:9890\n"),
                HasSubstr("test.yaml:2:11: metrics.listen: "));
    EXPECT_THAT(only_error("metrics:\n  listen: 127.0.0.1\n"),
                HasSubstr("test.yaml:2:11: metrics.listen: "));
    EXPECT_TRUE(errors_of("metrics:\n  listen: \"[::1]:9890\"\n").empty());
    EXPECT_TRUE(errors_of("metrics:\n  listen: localhost:9890\n").empty());
}

TEST(ConfigLoader, BadCidrIsReported) {
    EXPECT_EQ(only_error("outbound:\n  networks: [10.0.0.0/8, 300.1.2.3/8]\n"),
              "test.yaml:2:26: outbound.networks[1]: '300.1.2.3/8' is not an address or CIDR "
              "network");
}

TEST(ConfigLoader, RegexThatDoesNotCompileIsReported) {
    auto error = only_error(
        "outbound:\n  marketing:\n    header_matches:\n      - header: Precedence\n"
        "        pattern: \"(bulk\"\n");
    EXPECT_THAT(error, HasSubstr("test.yaml:5:18: outbound.marketing.header_matches[0].pattern: "
                                 "regular expression '(bulk' does not compile"));
}

TEST(ConfigLoader, PatternOutsideRe2SyntaxIsReported) {
    // A backreference: ECMAScript has it, RE2 (linear time) does not.
    auto error = only_error(
        "outbound:\n  marketing:\n    header_matches:\n      - header: X-Kind\n"
        "        pattern: \"(a)\\\\1\"\n");
    EXPECT_THAT(error, HasSubstr("test.yaml:5:18: outbound.marketing.header_matches[0].pattern: "
                                 "regular expression '(a)\\1' does not compile"));
    EXPECT_THAT(error, HasSubstr("RE2 syntax"));
}

TEST(ConfigLoader, UnreadableSecretFileIsReportedWithoutItsContent) {
    EXPECT_EQ(only_error("store:\n  postgres:\n    password_file: /nonexistent/pw\n"),
              "test.yaml:3:20: store.postgres.password_file: cannot read /nonexistent/pw: No "
              "such file or directory");
}

TEST(ConfigLoader, SecretFromFileIsLoadedAndNeverPrinted) {
    auto dir = std::filesystem::temp_directory_path() / ("fbl-config-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir);
    auto key_file = dir / "ref.key";
    std::ofstream(key_file) << "0123456789abcdef-very-secret\n";
    std::filesystem::permissions(key_file, std::filesystem::perms::owner_read);
    auto config = load_string(
        "feedback:\n  reference_header:\n    keys:\n      - id: k1\n"
        "        key_file: " +
            key_file.string() + "\n    active_key: k1\n",
        "test.yaml");
    ASSERT_EQ(config.feedback.reference_header.keys.size(), 1u);
    const auto& secret = config.feedback.reference_header.keys[0].key;
    EXPECT_EQ(secret.reveal(), "0123456789abcdef-very-secret");
    std::ostringstream printed;
    printed << secret;
    EXPECT_THAT(printed.str(), Not(HasSubstr("very-secret")));
    std::filesystem::remove_all(dir);
}

// As OpenSSH does with a private key: a secret that another account may
// read is refused, and the message says what to do.
TEST(ConfigLoader, SecretFileReadableByGroupOrOthersIsRefused) {
    auto dir = std::filesystem::temp_directory_path() / ("fbl-config-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir);
    auto key_file = dir / "ref.key";
    std::ofstream(key_file) << "0123456789abcdef-very-secret\n";
    auto yaml = "feedback:\n  reference_header:\n    keys:\n      - id: k1\n        key_file: " +
                key_file.string() + "\n";
    for (unsigned mode : {0644u, 0640u, 0604u, 0660u}) {
        std::filesystem::permissions(key_file, static_cast<std::filesystem::perms>(mode));
        auto error = only_error(yaml);
        EXPECT_THAT(error, HasSubstr(fmt::format("feedback.reference_header.keys[0].key_file: "
                                                 "permissions {:04o} for '{}' are too open",
                                                 mode, key_file.string())));
        EXPECT_THAT(error, HasSubstr("must not be accessible by group or others"));
        EXPECT_THAT(error, Not(HasSubstr("very-secret")));
    }
    std::filesystem::permissions(key_file, static_cast<std::filesystem::perms>(0600));
    EXPECT_TRUE(errors_of(yaml).empty());
    std::ofstream(dir / "pw") << "hunter2\n";
    std::filesystem::permissions(dir / "pw", static_cast<std::filesystem::perms>(0644));
    EXPECT_THAT(
        only_error("store:\n  postgres:\n    password_file: " + (dir / "pw").string() + "\n"),
        HasSubstr("store.postgres.password_file: permissions 0644"));
    std::filesystem::remove_all(dir);
}

TEST(ConfigLoader, PasswordInAPostgresUriIsRefused) {
    for (const std::string conninfo :
         {"postgresql://fbl:hunter2@db.example/fbl", "postgres://fbl:hunter2@db.example:5432/fbl",
          "postgresql://db.example/fbl?password=hunter2", "host=db.example password=hunter2"}) {
        auto error = only_error("store:\n  postgres:\n    conninfo: \"" + conninfo + "\"\n");
        EXPECT_THAT(error, HasSubstr("store.postgres.conninfo: must not contain the password: use "
                                     "password_file or password_env"))
            << conninfo;
        EXPECT_THAT(error, Not(HasSubstr("hunter2"))) << conninfo;
    }
    EXPECT_TRUE(
        errors_of("store:\n  postgres:\n    conninfo: \"postgresql://fbl@db.example/fbl\"\n")
            .empty());
    EXPECT_TRUE(
        errors_of("store:\n  postgres:\n    conninfo: \"host=db.example dbname=fbl\"\n").empty());
    EXPECT_THAT(only_error("store:\n  postgres:\n    conninfo: \"host='unclosed\"\n"),
                HasSubstr("is not a libpq connection string or URI"));
}

// Expiry dates are 64-bit nanosecond time points: an expiry they cannot hold
// would wrap into the past and lift the suppression at once.
TEST(ConfigLoader, DefaultExpiryBeyondTheTimeTypeIsAnError) {
    EXPECT_THAT(only_error("suppression:\n  default_expiry: 1000000d\n"),
                HasSubstr("suppression.default_expiry: '1000000d' is beyond what an expiry date "
                          "can hold"));
    EXPECT_THAT(only_error("suppression:\n  default_expiry: 36501d\n"),
                HasSubstr("at most 36500d"));
    auto config = load_string("suppression:\n  default_expiry: 36500d\n", "test.yaml");
    EXPECT_EQ(config.suppression.default_expiry, std::chrono::hours(24 * 36500));
}

TEST(ConfigLoader, TrustAnyIsAWarning) {
    auto config = load_string("feedback:\n  trust: any\n", "test.yaml");
    auto found = warnings(config);
    ASSERT_EQ(found.size(), 1u);
    EXPECT_THAT(found[0], HasSubstr("feedback.trust is 'any'"));
    EXPECT_TRUE(warnings(load_string("feedback:\n  trust: reference\n", "test.yaml")).empty());
}

TEST(ConfigLoader, SecretFromMissingEnvironmentVariableIsReported) {
    unsetenv("FBL_TEST_UNSET_PASSWORD");
    EXPECT_EQ(only_error("store:\n  postgres:\n    password_env: FBL_TEST_UNSET_PASSWORD\n"),
              "test.yaml:3:19: store.postgres.password_env: environment variable "
              "FBL_TEST_UNSET_PASSWORD is not set");
}

TEST(ConfigLoader, EveryErrorIsReportedNotOnlyTheFirst) {
    auto errors = errors_of("milter:\n  backlog: -1\noutbound:\n  scope: everything\n");
    ASSERT_EQ(errors.size(), 2u);
    EXPECT_EQ(errors[0].to_string(),
              "test.yaml:2:12: milter.backlog: value -1 is out of range [1, 65535]");
    EXPECT_EQ(errors[1].to_string(),
              "test.yaml:4:10: outbound.scope: 'everything' is not one of: all, marketing");
}

TEST(ConfigLoader, CrossFieldRulesAreChecked) {
    EXPECT_THAT(only_error("store:\n  backend: postgres\n"),
                HasSubstr("store.postgres.conninfo: is required when store.backend is postgres"));
    EXPECT_THAT(only_error("feedback:\n  reference_header:\n    active_key: k9\n"),
                HasSubstr("feedback.reference_header.active_key: 'k9' is not one of the keys"));
    EXPECT_THAT(only_error("feedback:\n  verp_patterns: [\"bounces@example.com\"]\n"),
                HasSubstr("must contain {local} and {domain}"));
    EXPECT_THAT(only_error("outbound:\n  reply:\n    code: \"450\"\n"),
                HasSubstr("must be a 5xx SMTP reply code"));
}

TEST(ConfigLoader, YamlSyntaxErrorNamesThePlace) {
    auto error = only_error("milter:\n  socket: [unclosed\n");
    EXPECT_THAT(error, HasSubstr("test.yaml:"));
}

TEST(ConfigLoader, MissingFileIsReported) {
    try {
        load_file("/nonexistent/fblmilter.yaml");
        FAIL() << "expected ConfigInvalid";
    } catch (const ConfigInvalid& invalid) {
        EXPECT_EQ(invalid.errors().at(0).to_string(),
                  "/nonexistent/fblmilter.yaml: cannot read: No such file or directory");
    }
}

// Issue 14: an A-R header in a report is the sender's word; the old key still
// loads (an upgraded config keeps working) but is ignored, and says so.
TEST(ConfigLoader, TrustedAuthservIdsAreAcceptedIgnoredAndWarnedAbout) {
    auto quiet = load_string("feedback:\n  trusted_authserv_ids: []\n", "test.yaml");
    EXPECT_TRUE(quiet.warnings.empty());
    auto config = load_string("feedback:\n  trusted_authserv_ids: [mx.example.com]\n", "test.yaml");
    ASSERT_EQ(config.warnings.size(), 1u);
    EXPECT_THAT(config.warnings[0], HasSubstr("feedback.trusted_authserv_ids is ignored"));
    EXPECT_THAT(config.warnings[0], HasSubstr("written by its sender"));
}

TEST(ConfigLoader, TrustLimitsAreValidated) {
    auto config = load_string(
        "feedback:\n  max_recipients_per_report: 2\n  dkim_tempfail_for: 12h\n"
        "  our_domains: [example.com]\n  reference_header:\n    max_age: 90d\n",
        "test.yaml");
    EXPECT_EQ(config.feedback.max_recipients_per_report, 2);
    EXPECT_EQ(config.feedback.dkim_tempfail_for, std::chrono::hours(12));
    EXPECT_EQ(config.feedback.our_domains, std::vector<std::string>{"example.com"});
    EXPECT_EQ(config.feedback.reference_header.max_age, std::chrono::hours(24 * 90));
    EXPECT_THAT(only_error("feedback:\n  max_recipients_per_report: 0\n"),
                HasSubstr("feedback.max_recipients_per_report: value 0 is out of range"));
    EXPECT_THAT(only_error("feedback:\n  reference_header:\n    max_age: 10m\n"),
                HasSubstr("feedback.reference_header.max_age: must be at least 1h"));
}

TEST(ConfigLoader, DurationsSizesAndModesAreParsed) {
    auto config = load_string(
        "milter:\n  timeout: 2m\n  report_size_limit: 64KiB\n  socket_mode: \"0600\"\n"
        "suppression:\n  default_expiry: 30d\n",
        "test.yaml");
    EXPECT_EQ(config.milter.timeout, std::chrono::minutes(2));
    EXPECT_EQ(config.milter.report_size_limit, 65536u);
    EXPECT_EQ(config.milter.socket_mode, 0600u);
    EXPECT_EQ(config.suppression.default_expiry, std::chrono::hours(24 * 30));
}

// Issue 16: one-click unsubscribe needs a place to link to and a key to sign with.
const std::string kSigningKey =
    "feedback:\n  reference_header:\n    keys:\n      - {id: k1, key_env: FBL_TEST_REF_KEY}\n"
    "    active_key: k1\n";

TEST(ConfigLoader, UnsubscribeLoadsWithPublicUrlAndKey) {
    setenv("FBL_TEST_REF_KEY", "0123456789abcdef-unsubscribe", 1);
    auto config = load_string(kSigningKey +
                                  "web:\n  public_url: https://fbl.example.com/mail//\n"
                                  "unsubscribe:\n  enabled: true\n  add_headers: always\n"
                                  "  token_lifetime: 30d\n",
                              "test.yaml");
    EXPECT_EQ(config.web.public_url, "https://fbl.example.com/mail");
    EXPECT_TRUE(config.unsubscribe.enabled);
    EXPECT_EQ(config.unsubscribe.add_headers, UnsubscribeHeaders::always);
    EXPECT_EQ(config.unsubscribe.token_lifetime, std::chrono::hours(24 * 30));
    EXPECT_EQ(load_string("web:\n  public_url: http://127.0.0.1:8891\n", "t.yaml").web.public_url,
              "http://127.0.0.1:8891");
}

TEST(ConfigLoader, UnsubscribeNeedsPublicUrlAndActiveKey) {
    setenv("FBL_TEST_REF_KEY", "0123456789abcdef-unsubscribe", 1);
    EXPECT_EQ(only_error(kSigningKey + "unsubscribe:\n  enabled: true\n"),
              "test.yaml:7:12: unsubscribe.enabled: needs web.public_url: the unsubscribe link "
              "points there");
    EXPECT_EQ(only_error("web:\n  public_url: https://fbl.example.com\n"
                         "unsubscribe:\n  enabled: true\n"),
              "test.yaml:4:12: unsubscribe.enabled: needs feedback.reference_header.active_key: "
              "the unsubscribe token is signed with it");
    // Off, neither is needed.
    EXPECT_TRUE(errors_of("unsubscribe:\n  enabled: false\n  add_headers: never\n").empty());
}

TEST(ConfigLoader, PublicUrlMustBeAPlainHttpUrl) {
    for (const auto& [url, why] : std::vector<std::pair<std::string, std::string>>{
             {"ftp://fbl.example.com", "must start with https:// or http://"},
             {"fbl.example.com", "must start with https:// or http://"},
             {"https://", "has no host"},
             {"https:///u", "has no host"},
             {"https://fbl.example.com/?a=1", "must have no query or fragment"},
             {"https://fbl.example.com/#top", "must have no query or fragment"},
             {"'https://fbl.example.com/a b'", "must be ASCII without blanks"}}) {
        EXPECT_THAT(only_error("web:\n  public_url: " + url + "\n"),
                    AllOf(HasSubstr("web.public_url: "), HasSubstr(why)))
            << url;
    }
}

TEST(ConfigLoader, UnsubscribeChoicesAndLifetimeAreChecked) {
    EXPECT_THAT(only_error("unsubscribe:\n  add_headers: sometimes\n"),
                AllOf(HasSubstr("unsubscribe.add_headers"), HasSubstr("missing"),
                      HasSubstr("always"), HasSubstr("never")));
    EXPECT_THAT(only_error("unsubscribe:\n  token_lifetime: 1h\n"),
                HasSubstr("unsubscribe.token_lifetime: must be at least 1d"));
}

// Amazon SES through SNS: on when it names topics; a wrong ARN is caught at
// load, not by refusing every real complaint as an unknown topic.
TEST(ConfigLoader, SesWebhookLoadsTopicsCertificateDirAndMaxAge) {
    auto config = load_string(
        "webhooks:\n  ses:\n"
        "    topic_arns: [\"arn:aws:sns:eu-west-1:123456789012:ses-feedback\"]\n"
        "    certificate_dir: /tmp\n    max_age: 30m\n",
        "test.yaml");
    EXPECT_TRUE(config.webhooks.ses.enabled());
    ASSERT_EQ(config.webhooks.ses.topic_arns.size(), 1u);
    EXPECT_EQ(config.webhooks.ses.topic_arns[0], "arn:aws:sns:eu-west-1:123456789012:ses-feedback");
    EXPECT_EQ(config.webhooks.ses.certificate_dir, "/tmp");
    EXPECT_EQ(config.webhooks.ses.max_age, std::chrono::minutes(30));
}

TEST(ConfigLoader, SesWebhookRefusesWhatWouldNeverMatch) {
    EXPECT_THAT(only_error("webhooks:\n  ses:\n    topic_arns: [ses-feedback]\n"),
                AllOf(HasSubstr("webhooks.ses.topic_arns[0]"), HasSubstr("not an SNS topic ARN")));
    EXPECT_THAT(only_error("webhooks:\n  ses:\n    topic_arns: [\"arn:aws:sqs:eu-west-1:1:q\"]\n"),
                HasSubstr("not an SNS topic ARN"));
    EXPECT_THAT(only_error("webhooks:\n  ses:\n    max_age: 2d\n"),
                HasSubstr("webhooks.ses.max_age: must be between 1m and 1d"));
    EXPECT_THAT(only_error("webhooks:\n  ses:\n    topics: []\n"),
                HasSubstr("webhooks.ses.topics: unknown key"));
}

}  // namespace
}  // namespace fbl::config
