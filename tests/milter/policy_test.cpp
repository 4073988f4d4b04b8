#include "milter/policy.h"

#include <gtest/gtest.h>

#include "config/loader.h"

namespace fbl::milter {
namespace {

config::Config load(const std::string& yaml) {
    return config::load_string(yaml, "test.yaml");
}

TEST(Direction, AuthenticatedClientsSendOutgoingMail) {
    auto config = load("outbound:\n  networks: []\n");
    EXPECT_EQ(decide_direction(config.outbound, {"192.0.2.1", ""}, {"a@x", "alice"}),
              Direction::outbound);
    EXPECT_EQ(decide_direction(config.outbound, {"192.0.2.1", ""}, {"a@x", ""}),
              Direction::inbound);
}

// Issue 21.2: mail through non_smtpd_milters is outgoing mail.
TEST(Direction, PostfixLocalSubmissionIsOutgoingWhateverNetworksSays) {
    auto config = config::load_string("outbound:\n  networks: []\n", "t.yaml");
    EXPECT_TRUE(is_postfix_local_submission({"localhost", "127.0.0.1", 0}));
    EXPECT_FALSE(is_postfix_local_submission({"localhost", "127.0.0.1", 41234}));
    EXPECT_FALSE(is_postfix_local_submission({"mx.example", "192.0.2.1", 0}));
    EXPECT_EQ(decide_direction(config.outbound, {"127.0.0.1", "", true}, {}), Direction::outbound);
    EXPECT_EQ(decide_direction(config.outbound, {"127.0.0.1", "", false}, {}), Direction::inbound);
}

TEST(Direction, ConfiguredNetworksAndDaemonNamesSendOutgoingMail) {
    auto config = load(
        "outbound:\n  authenticated: false\n  networks: [10.1.0.0/16]\n"
        "  daemon_names: [ORIGINATING]\n");
    EXPECT_EQ(decide_direction(config.outbound, {"10.1.2.3", ""}, {}), Direction::outbound);
    EXPECT_EQ(decide_direction(config.outbound, {"10.2.0.1", ""}, {}), Direction::inbound);
    EXPECT_EQ(decide_direction(config.outbound, {"10.2.0.1", "originating"}, {}),
              Direction::outbound);
    EXPECT_EQ(decide_direction(config.outbound, {"10.2.0.1", ""}, {"a@x", "bob"}),
              Direction::inbound);
}

TEST(Marketing, EnvelopeRules) {
    auto config = load(
        "outbound:\n  marketing:\n    sender_domains: [news.example.com]\n"
        "    auth_users: [crm]\n");
    EXPECT_TRUE(is_marketing_by_envelope(config.outbound.marketing, {"x@NEWS.example.com", ""}));
    EXPECT_TRUE(is_marketing_by_envelope(config.outbound.marketing, {"x@example.com", "crm"}));
    EXPECT_FALSE(is_marketing_by_envelope(config.outbound.marketing, {"x@example.com", "alice"}));
}

TEST(Marketing, HeaderRulesFromTheDefaults) {
    auto config = load("");
    const auto& rules = config.outbound.marketing;
    EXPECT_TRUE(is_marketing_by_headers(rules, {{"list-unsubscribe", "<mailto:u@x>"}}));
    EXPECT_TRUE(is_marketing_by_headers(rules, {{"Precedence", "BULK"}}));
    EXPECT_FALSE(is_marketing_by_headers(rules, {{"Precedence", "junk-ish"}}));
    EXPECT_FALSE(is_marketing_by_headers(rules, {{"Subject", "Re: your ticket"}}));
}

TEST(Marketing, LongHeaderAgainstBacktrackingPatternsDoesNotCrash) {
    // std::regex recursed once per character: a 30 KB header from any local
    // sender overflowed the stack and killed the daemon.
    auto config = load(
        "outbound:\n  marketing:\n    headers_present: []\n    header_matches:\n"
        "      - {header: X-Campaign, pattern: \".*x\"}\n"
        "      - {header: X-Campaign, pattern: \"(a|b)*c\"}\n");
    const auto& rules = config.outbound.marketing;
    std::string value(30 * 1024, 'a');
    EXPECT_FALSE(is_marketing_by_headers(rules, {{"X-Campaign", value}}));
    EXPECT_TRUE(is_marketing_by_headers(rules, {{"X-Campaign", value + "c"}}));
    EXPECT_TRUE(is_marketing_by_headers(rules, {{"x-campaign", value + "X"}}));
}

TEST(Marketing, PatternsIgnoreCase) {
    auto config = load(
        "outbound:\n  marketing:\n    header_matches:\n"
        "      - {header: X-Kind, pattern: \"^newsletter$\"}\n");
    EXPECT_TRUE(is_marketing_by_headers(config.outbound.marketing, {{"X-Kind", "NewsLetter"}}));
    EXPECT_FALSE(is_marketing_by_headers(config.outbound.marketing, {{"X-Kind", "a newsletter"}}));
}

TEST(DecideRcpt, ScopeAllRejectsAtRcpt) {
    auto config = load("outbound:\n  scope: all\n");
    EXPECT_EQ(decide_rcpt(config.outbound, {true, suppression::Scope::marketing, false, false}),
              RcptAction::reject_now);
    EXPECT_EQ(decide_rcpt(config.outbound, {false, suppression::Scope::marketing, false, false}),
              RcptAction::deliver);
}

TEST(DecideRcpt, MarketingScopeWaitsForHeadersUnlessTheEnvelopeDecides) {
    auto config = load("");
    EXPECT_EQ(decide_rcpt(config.outbound, {true, suppression::Scope::marketing, false, false}),
              RcptAction::decide_at_eom);
    EXPECT_EQ(decide_rcpt(config.outbound, {true, suppression::Scope::marketing, true, false}),
              RcptAction::reject_now);
    EXPECT_EQ(decide_rcpt(config.outbound, {true, suppression::Scope::all, false, false}),
              RcptAction::reject_now);
}

TEST(DecideRcpt, NonSmtpdMailIsNeverRejectedAtRcpt) {
    auto config = load("outbound:\n  scope: all\n");
    EXPECT_EQ(decide_rcpt(config.outbound, {true, suppression::Scope::all, false, true}),
              RcptAction::remove_at_eom);
    auto ignoring = load("outbound:\n  scope: all\n  non_smtpd: ignore\n");
    EXPECT_EQ(decide_rcpt(ignoring.outbound, {true, suppression::Scope::all, false, true}),
              RcptAction::deliver);
}

}  // namespace
}  // namespace fbl::milter
