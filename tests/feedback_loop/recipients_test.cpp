#include "feedback_loop/recipients.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "feedback_loop/redaction.h"
#include "feedback_loop/verp.h"

namespace fbl::feedback_loop {
namespace {

TEST(Redaction, RecognisesPlaceholders) {
    EXPECT_EQ(placeholder_reason("redacted@aol.com"), Placeholder::redacted);
    EXPECT_EQ(placeholder_reason("Undisclosed-Recipients@x.example"), Placeholder::undisclosed);
    EXPECT_EQ(placeholder_reason("cb4a01a48251d4765f489076aa81e2a4@comcast.net"),
              Placeholder::hashed);
    EXPECT_EQ(placeholder_reason("wxxxxxxx@masked.example"), Placeholder::masked);
    EXPECT_EQ(placeholder_reason("jo***@masked.example"), Placeholder::masked);
    EXPECT_EQ(placeholder_reason("alice@xxxx.example"), Placeholder::masked);
    EXPECT_EQ(placeholder_reason("Undisclosed Recipients"), Placeholder::not_an_address);
    EXPECT_EQ(placeholder_reason("@example.com"), Placeholder::not_an_address);
    EXPECT_STREQ(to_string(Placeholder::not_an_address), "not an address");  // in notes
    EXPECT_FALSE(hides_a_recipient(Placeholder::not_an_address));
    EXPECT_TRUE(hides_a_recipient(Placeholder::masked));
}

TEST(Redaction, KeepsRealAddresses) {
    EXPECT_FALSE(placeholder_reason("user@example.com"));
    EXPECT_FALSE(placeholder_reason("alice.smith@example.org"));
    EXPECT_FALSE(placeholder_reason("max.mustermann.longname.department@example.com"));
    EXPECT_FALSE(placeholder_reason("a1b2c3d4e5f6@example.com"));  // too short for a hash
    EXPECT_FALSE(placeholder_reason("maxim@example.com"));
}

TEST(Verp, DecodesConfiguredPatterns) {
    VerpDecoder decoder({"bounces+{local}={domain}@mail.example.com", "{domain}-{local}@b.example",
                         "no-placeholders@example.com"});
    EXPECT_EQ(decoder.decode("bounces+alice=example.org@mail.example.com"), "alice@example.org");
    EXPECT_EQ(decoder.decode("BOUNCES+a=b=example.org@MAIL.example.com"), "a=b@example.org");
    EXPECT_EQ(decoder.decode("example.org-bob@b.example"), "bob@example.org");
    EXPECT_FALSE(decoder.decode("bounces@mail.example.com"));
    EXPECT_FALSE(decoder.decode("bounces+alice=example.org@mail.example.com.evil"));
    EXPECT_EQ(decoder.ignored(), std::vector<std::string>{"no-placeholders@example.com"});
}

FeedbackReport complaint() {
    FeedbackReport report;
    report.kind = ReportKind::complaint;
    report.format = ReportFormat::arf;
    report.original.present = true;
    return report;
}

config::FeedbackSettings settings() {
    config::FeedbackSettings settings;
    settings.verp_patterns = {"bounces+{local}={domain}@mail.example.com"};
    return settings;
}

TEST(Recipients, ChainOrderFollowsDesign) {
    FeedbackReport report = complaint();
    report.original.x_hmxmr_original_recipient = "hot@example.org";
    report.original.to = {"to@example.org"};
    report.original_mail_from = "bounces+verp=example.org@mail.example.com";
    report.original_rcpt_to = {"<ORT@Example.org>"};
    RecipientResolver resolver(settings());

    auto resolution = resolver.resolve(report);
    ASSERT_EQ(resolution.recipients.size(), 1u);
    EXPECT_EQ(resolution.recipients[0].address, "ORT@example.org");
    EXPECT_EQ(resolution.source, "original-rcpt-to");

    report.original_rcpt_to.clear();
    EXPECT_EQ(resolver.resolve(report).source, "verp");
    report.original_mail_from.clear();
    EXPECT_EQ(resolver.resolve(report).source, "original-to");
    report.original.to.clear();
    EXPECT_EQ(resolver.resolve(report).source, "x-hmxmr-original-recipient");
    report.original.x_hmxmr_original_recipient.clear();
    auto unresolved = resolver.resolve(report);
    EXPECT_TRUE(unresolved.unresolved);
    EXPECT_TRUE(unresolved.recipients.empty());
    EXPECT_EQ(unresolved.source, "");
}

TEST(Recipients, RedactedAddressFieldSkipsOriginalTo) {
    FeedbackReport report = complaint();
    report.redacted_address = true;
    report.original.to = {"looks-real@example.org"};
    auto resolution = RecipientResolver(settings()).resolve(report);
    EXPECT_TRUE(resolution.recipients.empty());
    EXPECT_TRUE(resolution.redacted);
    EXPECT_TRUE(resolution.unresolved);
}

TEST(Recipients, PlaceholdersAreNeverRecipients) {
    FeedbackReport report = complaint();
    report.original_rcpt_to = {"redacted@aol.com", "5f4dcc3b5aa765d61d8327deb882cf99@x.example"};
    report.original.to = {"fine@example.org"};
    auto resolution = RecipientResolver(settings()).resolve(report);
    ASSERT_EQ(resolution.recipients.size(), 1u);
    EXPECT_EQ(resolution.recipients[0].address, "fine@example.org");
    EXPECT_TRUE(resolution.redacted);
    EXPECT_EQ(resolution.notes.size(), 2u);
}

class FixedStep : public RecipientStep {
  public:
    FixedStep(std::string address, std::string evidence)
        : address_(std::move(address)), evidence_(std::move(evidence)) {}
    std::vector<Candidate> candidates(const FeedbackReport&, Resolution&) const override {
        return {{address_, evidence_}};
    }

  private:
    std::string address_;
    std::string evidence_;
};

TEST(Recipients, ExtraStepsSitAfterArfFieldsAndBeforeVerp) {
    FeedbackReport report = complaint();
    report.original_mail_from = "bounces+verp=example.org@mail.example.com";
    ExtraSteps extra;
    extra.reference_header = std::make_unique<FixedStep>("ref@example.org", "reference-header");
    extra.send_log = std::make_unique<FixedStep>("log@example.org", "send-log");
    RecipientResolver resolver(settings(), std::move(extra));
    EXPECT_EQ(resolver.resolve(report).source, "reference-header");
    report.original_rcpt_to = {"ort@example.org"};
    EXPECT_EQ(resolver.resolve(report).source, "original-rcpt-to");
}

TEST(Recipients, NotAReportResolvesNothing) {
    FeedbackReport report;
    report.original.to = {"x@example.org"};
    auto resolution = RecipientResolver(settings()).resolve(report);
    EXPECT_TRUE(resolution.recipients.empty());
    EXPECT_FALSE(resolution.unresolved);
}

}  // namespace
}  // namespace fbl::feedback_loop
