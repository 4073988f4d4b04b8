#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "feedback_loop/field_block.h"
#include "feedback_loop/field_values.h"

namespace fbl::feedback_loop {
namespace {

TEST(FieldBlock, UnfoldsAndSkipsNonFields) {
    FieldBlock block = parse_field_block(
        "\nFeedback-Type: abuse\nnot a field\nAuthentication-Results: a;\n\tspf=pass\n"
        "  dkim=fail\n\nVersion : 1\n");
    ASSERT_EQ(block.fields.size(), 3u);
    EXPECT_EQ(block.fields[0].name, "Feedback-Type");
    EXPECT_EQ(block.fields[0].value, "abuse");
    EXPECT_EQ(block.fields[1].value, "a; spf=pass dkim=fail");
    EXPECT_EQ(block.fields[2].name, "Version");
    EXPECT_EQ(block.fields[2].value, "1");
    ASSERT_EQ(block.skipped_lines.size(), 1u);
    EXPECT_EQ(block.skipped_lines[0], "not a field");
}

TEST(FieldBlock, RecognisesAFeedbackBlock) {
    EXPECT_TRUE(
        looks_like_field_block_with("\nUser-Agent: x\nfeedback-type: abuse\n", "Feedback-Type"));
    EXPECT_FALSE(
        looks_like_field_block_with("This is a report.\nFeedback-Type: abuse\n", "Feedback-Type"));
    EXPECT_FALSE(looks_like_field_block_with("User-Agent: x\n", "Feedback-Type"));
}

TEST(FieldValues, AddrSpecForms) {
    EXPECT_EQ(addr_spec("<a@b.example>"), "a@b.example");
    EXPECT_EQ(addr_spec("  a@b.example (the user) "), "a@b.example");
    EXPECT_EQ(addr_spec("rfc822; a@b.example"), "a@b.example");
    EXPECT_EQ(addr_spec("\"Name, Jr\" <a@b.example>"), "a@b.example");
    EXPECT_EQ(addr_spec("<>"), "");
    EXPECT_EQ(addr_spec("(only a comment)"), "");
}

TEST(FieldValues, AddrSpecList) {
    EXPECT_EQ(addr_spec_list("a@x, \"b, c\" <b@x>, (c,d) c@x,,"),
              (std::vector<std::string>{"a@x", "b@x", "c@x"}));
}

TEST(FieldValues, CommentsNestAndRespectQuotes) {
    std::vector<std::string> comments;
    EXPECT_EQ(strip_comments("1.2.3.4 (host (inner)) \"(kept)\"", &comments),
              "1.2.3.4  \"(kept)\"");
    ASSERT_EQ(comments.size(), 1u);
    EXPECT_EQ(comments[0], "host (inner)");
    EXPECT_EQ(strip_comments("unbalanced (comment"), "unbalanced");
}

TEST(FieldValues, Dates) {
    EXPECT_EQ(iso8601(*parse_date("Thu, 8 Mar 2005 14:00:00 EDT")), "2005-03-08T18:00:00Z");
    EXPECT_EQ(iso8601(*parse_date("Wed, 14 Apr 2010 12:15:31 -0700 (PDT)")),
              "2010-04-14T19:15:31Z");
    EXPECT_EQ(iso8601(*parse_date("2026-11-28T19:22:55Z")), "2026-11-28T19:22:55Z");
    EXPECT_EQ(iso8601(*parse_date("2026-11-28T21:22:55.123+02:00")), "2026-11-28T19:22:55Z");
    EXPECT_FALSE(parse_date("Sat, 21 Nov 6026 09:00:00 +0000"));  // beyond the clock
    EXPECT_FALSE(parse_date("9999-01-01T00:00:00Z"));
    EXPECT_FALSE(parse_date("yesterday"));
    EXPECT_FALSE(parse_date(""));
}

TEST(FieldValues, DkimDomainAndMessageId) {
    EXPECT_EQ(dkim_signing_domain("v=1; a=rsa-sha256; d=Arf.Mail.Yahoo.com ; s=x"),
              "arf.mail.yahoo.com");
    EXPECT_EQ(dkim_signing_domain("v=1; s=x"), "");
    EXPECT_EQ(bare_message_id(" <id@host> "), "id@host");
    EXPECT_EQ(bare_message_id("id@host"), "id@host");
}

}  // namespace
}  // namespace fbl::feedback_loop
