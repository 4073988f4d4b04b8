#include "feedback_loop/parser.h"

#include <filesystem>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "feedback_loop/field_values.h"
#include "feedback_loop/report_json.h"
#include "fixture.h"

namespace fbl::feedback_loop {
namespace {

using test_support::fixture;
using test_support::parse_fixture;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::vector<std::string> addresses(const Resolution& resolution) {
    std::vector<std::string> result;
    for (const auto& recipient : resolution.recipients) {
        result.push_back(recipient.address);
    }
    return result;
}

bool has_warning(const FeedbackReport& report, std::string_view text) {
    for (const std::string& warning : report.warnings) {
        if (warning.find(text) != std::string::npos) {
            return true;
        }
    }
    return false;
}

TEST(Parser, StandardArfReadsEveryField) {
    auto [report, resolution] = parse_fixture("standard.eml");
    EXPECT_EQ(report.kind, ReportKind::complaint);
    EXPECT_EQ(to_string(report.format), std::string("arf"));
    EXPECT_EQ(report.feedback_type, "abuse");
    EXPECT_EQ(report.user_agent, "ProviderFBL/2.1");
    EXPECT_EQ(report.version, "1");
    EXPECT_EQ(report.original_mail_from, "bounces@mail.example.com");
    EXPECT_THAT(report.original_rcpt_to, ElementsAre("Alice.Smith@example.org"));
    ASSERT_TRUE(report.arrival_date);
    EXPECT_EQ(iso8601(*report.arrival_date), "2026-11-02T09:58:11Z");
    EXPECT_EQ(report.reporting_mta, "mx1.provider.example");
    EXPECT_EQ(report.source_ip, "198.51.100.7");
    EXPECT_EQ(report.incidents, 1);
    ASSERT_EQ(report.authentication_results.size(), 1u);
    EXPECT_EQ(report.authentication_results[0],
              "mx1.provider.example; spf=pass smtp.mailfrom=mail.example.com; dkim=pass "
              "header.d=example.com");
    EXPECT_THAT(report.reported_domains, ElementsAre("example.com"));
    EXPECT_THAT(report.errors, IsEmpty());
    EXPECT_THAT(report.warnings, IsEmpty());

    EXPECT_EQ(report.report.from, "fbl@fbl.provider.example");
    EXPECT_EQ(report.report.reporter_domain, "fbl.provider.example");
    EXPECT_EQ(report.report.message_id, "report-0001@fbl.provider.example");
    ASSERT_TRUE(report.report.date);
    EXPECT_EQ(iso8601(*report.report.date), "2026-11-02T10:15:00Z");
    EXPECT_THAT(report.report.dkim_domains, ElementsAre("fbl.provider.example"));
    EXPECT_THAT(report.report.authentication_results,
                ElementsAre("mx.example.com; dkim=pass header.d=fbl.provider.example"));

    const OriginalHeaders& original = report.original;
    EXPECT_TRUE(original.present);
    EXPECT_EQ(original.source, "message/rfc822");
    EXPECT_EQ(original.message_id, "mailing-42.alice@mail.example.com");
    EXPECT_EQ(original.from, "news@example.com");
    EXPECT_THAT(original.to, ElementsAre("Alice.Smith@example.org"));
    EXPECT_EQ(original.subject, "Our November offers \xE2\x80\x93 20% off");
    ASSERT_TRUE(original.date);
    EXPECT_EQ(iso8601(*original.date), "2026-11-02T09:58:10Z");
    EXPECT_EQ(original.return_path, "bounces@mail.example.com");
    EXPECT_EQ(original.list_unsubscribe,
              "<mailto:unsubscribe@example.com?subject=unsubscribe>, "
              "<https://example.com/unsubscribe?u=abc>");
    EXPECT_EQ(original.list_id, "Example News <news.example.com>");
    EXPECT_EQ(original.feedback_id, "42:newsletter:example");
    EXPECT_EQ(original.reference, "v1.k1.YWxpY2VAZXhhbXBsZS5vcmc.sig");
    EXPECT_EQ(original.mailing_id, "november-2026");
    EXPECT_EQ(original.mailing_id_header, "X-Mailing-ID");

    EXPECT_THAT(addresses(resolution), ElementsAre("Alice.Smith@example.org"));
    EXPECT_EQ(resolution.source, "original-rcpt-to");
    EXPECT_FALSE(resolution.redacted);
    EXPECT_FALSE(resolution.unresolved);
}

TEST(Parser, LineEndingsDoNotMatter) {
    auto lf = parse_fixture("standard.eml").report;
    for (const char* name : {"standard_crlf.eml", "standard_cr.eml"}) {
        SCOPED_TRACE(name);
        auto [report, resolution] = parse_fixture(name);
        EXPECT_EQ(report.kind, ReportKind::complaint);
        EXPECT_EQ(report.original_rcpt_to, lf.original_rcpt_to);
        EXPECT_EQ(report.authentication_results, lf.authentication_results);
        EXPECT_EQ(report.original.subject, lf.original.subject);
        EXPECT_EQ(report.original.mailing_id, lf.original.mailing_id);
        EXPECT_EQ(report.original.list_unsubscribe, lf.original.list_unsubscribe);
        EXPECT_EQ(report.arrival_date, lf.arrival_date);
        EXPECT_THAT(addresses(resolution), ElementsAre("Alice.Smith@example.org"));
    }
}

TEST(Parser, VersionZeroOneAndReceivedDate) {
    auto [report, resolution] = parse_fixture("version01_received_date.eml");
    EXPECT_EQ(report.kind, ReportKind::complaint);
    EXPECT_EQ(report.version, "0.1");
    EXPECT_EQ(report.user_agent, "Yahoo!-Mail-Feedback/2.0");
    ASSERT_TRUE(report.arrival_date);
    EXPECT_EQ(iso8601(*report.arrival_date), "2026-11-03T07:00:01Z");
    EXPECT_EQ(report.report.reporter_domain, "arf.mail.yahoo.com");
    EXPECT_TRUE(has_warning(report, "Version 0.1"));
    EXPECT_THAT(addresses(resolution), ElementsAre("bob@yahoo.example"));
}

TEST(Parser, MissingVersionAndUserAgentAreTolerated) {
    auto [report, resolution] = parse_fixture("no_version_no_user_agent.eml");
    EXPECT_EQ(report.kind, ReportKind::complaint);
    EXPECT_TRUE(report.version.empty());
    EXPECT_TRUE(report.user_agent.empty());
    EXPECT_TRUE(has_warning(report, "no Version"));
    EXPECT_TRUE(has_warning(report, "no User-Agent"));
    EXPECT_THAT(addresses(resolution), ElementsAre("carol@isp.example"));
}

TEST(Parser, FeedbackPartLabelledTextPlain) {
    auto [report, resolution] = parse_fixture("feedback_as_text_plain.eml");
    EXPECT_EQ(report.kind, ReportKind::complaint);
    EXPECT_EQ(to_string(report.format), std::string("arf-text-plain"));
    EXPECT_EQ(report.user_agent, "MislabelFBL/0.9");
    EXPECT_THAT(addresses(resolution), ElementsAre("dave@mislabel.example"));
}

TEST(Parser, Base64FeedbackPart) {
    auto [report, resolution] = parse_fixture("feedback_base64.eml");
    EXPECT_EQ(report.kind, ReportKind::complaint);
    EXPECT_EQ(report.user_agent, "Base64FBL/1.0");
    ASSERT_TRUE(report.arrival_date);
    EXPECT_EQ(iso8601(*report.arrival_date), "2026-11-05T10:00:00Z");
    EXPECT_THAT(addresses(resolution), ElementsAre("erin@b64.example"));
}

TEST(Parser, MboxFromLinesBeforeHeadersAndInOriginal) {
    auto [report, resolution] = parse_fixture("mbox_from_lines.eml");
    EXPECT_EQ(report.kind, ReportKind::complaint);
    EXPECT_EQ(report.report.from, "fbl@mbox.example");
    EXPECT_EQ(report.original.message_id, "mbox-orig@mail.example.com");
    EXPECT_EQ(report.original.return_path, "bounces@mail.example.com");
    EXPECT_THAT(addresses(resolution), ElementsAre("frank@mbox.example"));
}

TEST(Parser, ReportWithoutDate) {
    auto [report, resolution] = parse_fixture("no_date.eml");
    EXPECT_EQ(report.kind, ReportKind::complaint);
    EXPECT_FALSE(report.report.date);
    EXPECT_THAT(report.errors, IsEmpty());
    EXPECT_THAT(addresses(resolution), ElementsAre("grace@nodate.example"));
}

TEST(Parser, HotmailJmrpMultipartMixed) {
    auto [report, resolution] = parse_fixture("jmrp_multipart.eml");
    EXPECT_EQ(report.kind, ReportKind::complaint);
    EXPECT_EQ(to_string(report.format), std::string("jmrp"));
    EXPECT_EQ(report.feedback_type, "abuse");
    EXPECT_EQ(report.report.reporter_domain, "hotmail.com");
    EXPECT_EQ(report.original.mailing_id, "spring-sale");
    EXPECT_THAT(addresses(resolution), ElementsAre("heidi@hotmail.com"));
    EXPECT_EQ(resolution.source, "x-hmxmr-original-recipient");
    EXPECT_TRUE(resolution.redacted);  // To: redacted@hotmail.com was skipped
}

TEST(Parser, HotmailJmrpBareOriginal) {
    auto [report, resolution] = parse_fixture("jmrp_bare.eml");
    EXPECT_EQ(report.kind, ReportKind::complaint);
    EXPECT_EQ(to_string(report.format), std::string("jmrp-bare"));
    EXPECT_EQ(report.original.source, "top-level");
    EXPECT_EQ(report.original.message_id, "jmrp-bare-orig@mail.example.com");
    EXPECT_THAT(addresses(resolution), ElementsAre("ivan@outlook.com"));
}

TEST(Parser, AolRedactedAddressIsUnresolvedNotAnError) {
    auto [report, resolution] = parse_fixture("aol_redacted.eml");
    EXPECT_EQ(report.kind, ReportKind::complaint);
    EXPECT_TRUE(report.redacted_address);
    EXPECT_EQ(report.redacted_address_value, "redacted");
    EXPECT_EQ(report.original.reference, "v1.k1.cmVmLXBheWxvYWQ.tag");
    EXPECT_THAT(report.errors, IsEmpty());
    EXPECT_THAT(resolution.recipients, IsEmpty());
    EXPECT_TRUE(resolution.redacted);
    EXPECT_TRUE(resolution.unresolved);
}

TEST(Parser, ReturnPathExtraFieldsAreExtensions) {
    auto [report, resolution] = parse_fixture("returnpath_extra_fields.eml");
    EXPECT_EQ(report.kind, ReportKind::complaint);
    EXPECT_EQ(report.user_agent, "ReturnPathFBL/2.0");
    EXPECT_EQ(report.source_ip, "198.51.100.7");
    ASSERT_EQ(report.extensions.count("Source"), 1u);
    EXPECT_THAT(report.extensions.at("Source"), ElementsAre("Comcast"));
    EXPECT_THAT(report.extensions.at("Abuse-Type"), ElementsAre("complaint"));
    EXPECT_THAT(report.extensions.at("Subscription-Link"),
                ElementsAre("https://fbl.returnpath.example/manage/subscriptions/1234"));
    // Hashed Original-Rcpt-To and To are skipped; VERP finds the recipient.
    EXPECT_THAT(addresses(resolution), ElementsAre("judy@comcast.example"));
    EXPECT_EQ(resolution.source, "verp");
    EXPECT_TRUE(resolution.redacted);
}

TEST(Parser, ReportForwardedByAnotherService) {
    auto [report, resolution] = parse_fixture("ses_forwarded_yahoo.eml");
    EXPECT_EQ(report.kind, ReportKind::complaint);
    EXPECT_EQ(to_string(report.format), std::string("arf-forwarded"));
    EXPECT_EQ(report.user_agent, "Yahoo!-Mail-Feedback/2.0");
    EXPECT_EQ(report.report.reporter_domain, "email-abuse.amazonses.com");
    EXPECT_TRUE(has_warning(report, "arf.mail.yahoo.com"));
    EXPECT_EQ(report.original.mailing_id, "sale-last-day");
    EXPECT_THAT(addresses(resolution), ElementsAre("kim@yahoo.example"));
}

TEST(Parser, SeveralOriginalRcptTo) {
    auto [report, resolution] = parse_fixture("several_rcpt_to.eml");
    EXPECT_THAT(report.original_rcpt_to, ElementsAre("leo@multi.example", "MIA@Multi.Example",
                                                     "ned@multi.example", "olga@multi.example"));
    // The local part keeps its case (lowercase_local_part decides), the domain does not.
    EXPECT_THAT(addresses(resolution), ElementsAre("leo@multi.example", "MIA@multi.example",
                                                   "ned@multi.example", "olga@multi.example"));
}

TEST(Parser, NotSpamIsItsOwnKind) {
    auto [report, resolution] = parse_fixture("not_spam.eml");
    EXPECT_EQ(report.kind, ReportKind::not_spam);
    EXPECT_EQ(report.feedback_type, "not-spam");
    EXPECT_THAT(addresses(resolution), ElementsAre("pat@ns.example"));
}

TEST(Parser, AuthFailureFieldsRfc6591) {
    auto [report, resolution] = parse_fixture("auth_failure_dkim.eml");
    EXPECT_EQ(report.kind, ReportKind::auth_failure);
    EXPECT_EQ(report.auth.auth_failure, "bodyhash");
    EXPECT_EQ(report.auth.delivery_result, "delivered");
    EXPECT_EQ(report.auth.dkim_domain, "example.com");
    EXPECT_EQ(report.auth.dkim_identity, "@example.com");
    EXPECT_EQ(report.auth.dkim_selector, "s1");
    EXPECT_EQ(report.auth.dkim_canonicalized_body, "SGVsbG8gd29ybGQK");
    EXPECT_EQ(report.auth.identity_alignment, "dkim");
    EXPECT_EQ(report.source_ip, "198.51.100.7");
    EXPECT_EQ(report.source_hostname, "mail.example.com");
    EXPECT_EQ(report.source_port, 44123);
    EXPECT_EQ(report.original.source, "text/rfc822-headers");
    EXPECT_EQ(report.original.message_id, "af-orig@mail.example.com");
}

TEST(Parser, MessageRfc822HeadersOriginal) {
    auto [report, resolution] = parse_fixture("message_rfc822_headers.eml");
    EXPECT_EQ(report.original.source, "message/rfc822-headers");
    EXPECT_EQ(report.original.mailing_id, "headers-only");
    EXPECT_EQ(report.original.return_path, "bounces+rita=hdrs.example@mail.example.com");
    EXPECT_THAT(addresses(resolution), ElementsAre("rita@hdrs.example"));
    EXPECT_EQ(resolution.source, "verp");
}

TEST(Parser, OriginalAsInlineText) {
    auto [report, resolution] = parse_fixture("original_inline_text.eml");
    EXPECT_EQ(report.original.source, "inline-text");
    EXPECT_EQ(report.original.message_id, "inline-orig@mail.example.com");
    EXPECT_THAT(addresses(resolution), ElementsAre("sam@inline.example"));
    EXPECT_EQ(resolution.source, "original-to");
}

TEST(Parser, MailtoUnsubscribeRequest) {
    auto [report, resolution] = parse_fixture("unsubscribe_request.eml");
    EXPECT_EQ(report.kind, ReportKind::unsubscribe);
    EXPECT_EQ(to_string(report.format), std::string("unsubscribe-request"));
    EXPECT_THAT(addresses(resolution), ElementsAre("tina@customer.example"));
    EXPECT_EQ(resolution.source, "unsubscribe-verp");
}

TEST(Parser, UnsubscribeRequestWithoutVerpUsesSender) {
    std::string text = fixture("unsubscribe_request.eml");
    text.replace(text.find("unsubscribe+tina=customer.example@lists.example.com"),
                 std::string("unsubscribe+tina=customer.example@lists.example.com").size(),
                 "unsubscribe@lists.example.com");
    auto [report, resolution] = test_support::parse_text(text);
    EXPECT_EQ(report.kind, ReportKind::unsubscribe);
    EXPECT_THAT(addresses(resolution), ElementsAre("Tina@customer.example"));
    EXPECT_EQ(resolution.source, "unsubscribe-sender");
}

TEST(Parser, OrdinaryMailIsNotAReport) {
    auto [report, resolution] = parse_fixture("not_a_report.eml");
    EXPECT_EQ(report.kind, ReportKind::not_a_report);
    EXPECT_THAT(report.errors, ElementsAre("no feedback report found"));
    EXPECT_THAT(resolution.recipients, IsEmpty());
}

TEST(Parser, QuirkyFieldSyntax) {
    auto [report, resolution] = parse_fixture("quirky_fields.eml");
    EXPECT_EQ(report.kind, ReportKind::complaint);
    EXPECT_EQ(report.feedback_type, "abuse");
    EXPECT_EQ(report.user_agent, "QuirkyFBL/1.0");
    EXPECT_EQ(report.original_mail_from, "bounces@mail.example.com");
    EXPECT_THAT(report.original_rcpt_to, ElementsAre("Victor@Quirky.Example"));
    ASSERT_TRUE(report.arrival_date);
    EXPECT_EQ(iso8601(*report.arrival_date), "2026-11-20T08:59:59Z");
    EXPECT_EQ(report.reporting_mta, "mx.quirky.example");
    EXPECT_EQ(report.source_ip, "198.51.100.7");
    EXPECT_EQ(report.source_hostname, "mail.example.com");
    EXPECT_EQ(report.incidents, 3);
    EXPECT_THAT(report.reported_uris, ElementsAre("<https://example.com/offer>"));
    ASSERT_EQ(report.extensions.size(), 1u);
    EXPECT_THAT(report.extensions.at("X-Quirky-Score"), ElementsAre("9", "10"));
    EXPECT_EQ(report.report.from, "fbl@quirky.example");
    EXPECT_THAT(addresses(resolution), ElementsAre("Victor@quirky.example"));
}

TEST(Parser, MaskedAndUndisclosedRecipientsAreUnresolved) {
    for (const char* name : {"masked_to.eml", "undisclosed.eml"}) {
        SCOPED_TRACE(name);
        auto [report, resolution] = parse_fixture(name);
        EXPECT_EQ(report.kind, ReportKind::complaint);
        EXPECT_THAT(resolution.recipients, IsEmpty());
        EXPECT_TRUE(resolution.redacted);
        EXPECT_TRUE(resolution.unresolved);
    }
}

TEST(Parser, RemovalRecipientBeatsOriginalTo) {
    auto [report, resolution] = parse_fixture("removal_recipient.eml");
    EXPECT_EQ(report.kind, ReportKind::complaint);
    EXPECT_EQ(report.feedback_type, "opt-out");
    EXPECT_THAT(addresses(resolution), ElementsAre("wendy@removal.example"));
    EXPECT_EQ(resolution.source, "removal-recipient");
}

TEST(Parser, VerpFromOriginalMailFrom) {
    auto [report, resolution] = parse_fixture("verp_only.eml");
    EXPECT_THAT(addresses(resolution), ElementsAre("uma@verp.example"));
    EXPECT_EQ(resolution.source, "verp");
}

TEST(Parser, ConfiguredHeadersAreUsed) {
    ParseOptions options;
    options.reference_header = "X-Custom-Ref";
    options.mailing_id_headers = {"Feedback-ID"};
    std::string text = fixture("standard.eml");
    text.replace(text.find("X-FBL-Ref:"), 10, "X-Custom-Ref:");
    FeedbackReport report = parse_report(text, options);
    EXPECT_EQ(report.original.reference, "v1.k1.YWxpY2VAZXhhbXBsZS5vcmc.sig");
    EXPECT_EQ(report.original.mailing_id, "42:newsletter:example");
    EXPECT_EQ(report.original.mailing_id_header, "Feedback-ID");
}

TEST(Parser, UnknownFeedbackTypeIsOther) {
    std::string text = fixture("standard.eml");
    text.replace(text.find("Feedback-Type: abuse"), 20, "Feedback-Type: phishy");
    FeedbackReport report = parse_report(text, {});
    EXPECT_EQ(report.kind, ReportKind::complaint);
    EXPECT_EQ(report.feedback_type, "phishy");
    EXPECT_TRUE(has_warning(report, "unknown Feedback-Type"));
}

TEST(Parser, OversizedInputIsRefused) {
    ParseOptions options;
    options.size_limit = 100;
    FeedbackReport report = parse_report(fixture("standard.eml"), options);
    EXPECT_EQ(report.kind, ReportKind::not_a_report);
    ASSERT_EQ(report.errors.size(), 1u);
    EXPECT_NE(report.errors[0].find("over the size limit of 100 bytes"), std::string::npos);
}

TEST(Parser, EmptyAndGarbageInputs) {
    for (std::string text : {std::string(), std::string("\n\n\r\n"), std::string("garbage"),
                             std::string("\0\0\xff\xfe", 4), std::string(5000, '-')}) {
        FeedbackReport report = parse_report(text, {});
        EXPECT_EQ(report.kind, ReportKind::not_a_report);
        EXPECT_FALSE(report.errors.empty());
    }
}

TEST(Parser, EveryPrefixOfAFixtureIsSafe) {
    // Truncated deliveries must never crash the parser or throw.
    std::string text = fixture("ses_forwarded_yahoo.eml");
    for (std::size_t length = 0; length <= text.size(); length += 7) {
        FeedbackReport report = parse_report(std::string_view(text).substr(0, length), {});
        (void)RecipientResolver(test_support::feedback_settings()).resolve(report);
    }
}

}  // namespace
}  // namespace fbl::feedback_loop

namespace fbl::feedback_loop {
namespace {

// Every input the fuzzer ever crashed on stays a test.
TEST(Parser, FuzzRegressionsParseSafely) {
    std::filesystem::path dir = std::filesystem::path(FBL_SOURCE_DIR) / "tests/fuzz/regressions";
    int count = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        SCOPED_TRACE(entry.path().string());
        auto parsed = test_support::parse_text(test_support::read_file(entry.path().string()));
        (void)to_json(parsed.report, parsed.resolution)
            .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        ++count;
    }
    EXPECT_GT(count, 0);
}

}  // namespace
}  // namespace fbl::feedback_loop

namespace fbl::feedback_loop {
namespace {

TEST(Parser, DeeplyNestedMessagesAreRefused) {
    std::string text = "From: a@b.example\nMIME-Version: 1.0\n";
    for (int level = 0; level < 2000; ++level) {
        text += "Content-Type: multipart/mixed; boundary=\"b" + std::to_string(level) +
                "\"\n\n--b" + std::to_string(level) + "\n";
    }
    FeedbackReport report = parse_report(text, {});
    EXPECT_EQ(report.kind, ReportKind::not_a_report);
    ASSERT_EQ(report.errors.size(), 1u);
    EXPECT_NE(report.errors[0].find("nested MIME containers"), std::string::npos);
}

}  // namespace
}  // namespace fbl::feedback_loop
