// Parses the third-party samples in ../shared/corpus/arf (never copied into
// the repository) and checks what can be confirmed about each.
#include <filesystem>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "common/text.h"
#include "feedback_loop/field_values.h"
#include "fixture.h"
#include "tests/ci_skip.h"

namespace fbl::feedback_loop {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

fs::path corpus_dir() {
    return fs::path(FBL_SHARED_CORPUS_DIR) / "arf";
}

// The corpus is read from ../shared only "when it is present" (the brief):
// a clone elsewhere skips these, CI (which has it beside the clone) runs them.
#define SKIP_WITHOUT_CORPUS()                                                   \
    if (!fs::is_directory(corpus_dir())) {                                      \
        FBL_SKIP_OR_FAIL_IN_CI("no shared corpus at " + corpus_dir().string()); \
    }

test_support::Parsed parse_sample(const fs::path& path) {
    return test_support::parse_text(test_support::read_file(path.string()));
}

std::vector<std::string> addresses(const Resolution& resolution) {
    std::vector<std::string> result;
    for (const auto& recipient : resolution.recipients) {
        result.push_back(recipient.address);
    }
    return result;
}

std::string collapse_whitespace(const std::string& text) {
    std::string result;
    for (char c : text) {
        bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r';
        if (space) {
            if (!result.empty() && result.back() != ' ') {
                result.push_back(' ');
            }
        } else {
            result.push_back(c);
        }
    }
    return result;
}

std::string without_whitespace(const std::string& text) {
    std::string result;
    for (char c : text) {
        if (!std::isspace(static_cast<unsigned char>(c))) {
            result.push_back(c);
        }
    }
    return result;
}

std::string unbracketed(const json& value) {
    return value.is_null() ? std::string() : addr_spec(value.get<std::string>());
}

// Their enum spelling ("AuthFailure", "BodyHash") against ours ("auth-failure", "bodyhash").
std::string enum_spelling(const json& value) {
    if (value.is_null() || value == "Unspecified") {
        return {};
    }
    std::string text = value.get<std::string>();
    std::string result;
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (std::isupper(static_cast<unsigned char>(c)) && i > 0 &&
            std::islower(static_cast<unsigned char>(text[i - 1])) && text != "BodyHash") {
            result.push_back('-');
        }
        result.push_back(text::ascii_lower(c));
    }
    return result;
}

std::string optional_string(const json& value) {
    return value.is_null() ? std::string() : value.get<std::string>();
}

TEST(SharedCorpus, EverySampleParsesWithoutErrors) {
    SKIP_WITHOUT_CORPUS();
    int samples = 0;
    for (const auto& entry : fs::recursive_directory_iterator(corpus_dir())) {
        if (entry.path().extension() != ".eml") {
            continue;
        }
        SCOPED_TRACE(entry.path().string());
        auto [report, resolution] = parse_sample(entry.path());
        EXPECT_NE(report.kind, ReportKind::not_a_report);
        EXPECT_THAT(report.errors, IsEmpty());
        ++samples;
    }
    EXPECT_GT(samples, 0);
}

TEST(SharedCorpus, KumomtaSamples) {
    SKIP_WITHOUT_CORPUS();
    fs::path dir = corpus_dir() / "kumomta";
    if (!fs::is_directory(dir)) {
        FBL_SKIP_OR_FAIL_IN_CI("no kumomta samples in the shared corpus");
    }
    {
        // No Original-Rcpt-To, original To is "<Undisclosed Recipients>".
        auto [report, resolution] = parse_sample(dir / "1.eml");
        EXPECT_EQ(report.kind, ReportKind::complaint);
        EXPECT_EQ(report.feedback_type, "abuse");
        EXPECT_EQ(report.user_agent, "SomeGenerator/1.0");
        EXPECT_THAT(resolution.recipients, IsEmpty());
        EXPECT_TRUE(resolution.unresolved);
        EXPECT_TRUE(resolution.redacted);
    }
    {
        auto [report, resolution] = parse_sample(dir / "2.eml");
        EXPECT_EQ(report.feedback_type, "abuse");
        EXPECT_THAT(report.removal_recipients, ElementsAre("user@example.com"));
        EXPECT_THAT(report.reported_uris,
                    ElementsAre("http://example.net/earn_money.html", "mailto:user@example.com"));
        EXPECT_EQ(report.reporting_mta, "mail.example.com");
        EXPECT_THAT(addresses(resolution), ElementsAre("user@example.com"));
        EXPECT_EQ(resolution.source, "original-rcpt-to");
    }
    {
        auto [report, resolution] = parse_sample(dir / "3.eml");
        EXPECT_EQ(report.feedback_type, "abuse");
        EXPECT_EQ(report.version, "0.1");
        EXPECT_EQ(report.user_agent, "Yahoo!-Mail-Feedback/2.0");
        ASSERT_TRUE(report.arrival_date);
        EXPECT_EQ(iso8601(*report.arrival_date), "2023-12-14T16:16:15Z");
        EXPECT_FALSE(report.report.date == std::nullopt);
        EXPECT_THAT(addresses(resolution), ElementsAre("user@example.com"));
    }
    {
        // Comcast through ReturnPath: hashed Original-Rcpt-To, extension fields.
        auto [report, resolution] = parse_sample(dir / "4.eml");
        EXPECT_EQ(report.feedback_type, "abuse");
        EXPECT_EQ(report.user_agent, "ReturnPathFBL/2.0");
        EXPECT_THAT(report.extensions.at("Source"), ElementsAre("Comcast"));
        EXPECT_THAT(report.extensions.at("Abuse-Type"), ElementsAre("complaint"));
        EXPECT_EQ(report.extensions.count("Subscription-Link"), 1u);
        EXPECT_TRUE(resolution.redacted);
        for (const auto& recipient : resolution.recipients) {
            EXPECT_NE(recipient.address, "cb4a01a48251d4765f489076aa81e2a4@comcast.net");
        }
        EXPECT_THAT(addresses(resolution), ElementsAre("user@example.com"));
        EXPECT_EQ(resolution.source, "original-to");
    }
}

TEST(SharedCorpus, StalwartSamplesAgreeWithTheirJson) {
    SKIP_WITHOUT_CORPUS();
    fs::path dir = corpus_dir() / "stalwart";
    if (!fs::is_directory(dir)) {
        FBL_SKIP_OR_FAIL_IN_CI("no stalwart samples in the shared corpus");
    }
    int compared = 0;
    for (const auto& entry : fs::directory_iterator(dir)) {
        if (entry.path().extension() != ".eml") {
            continue;
        }
        fs::path json_path = entry.path();
        json_path.replace_extension(".json");
        if (!fs::exists(json_path)) {
            continue;
        }
        SCOPED_TRACE(entry.path().string());
        json theirs = json::parse(test_support::read_file(json_path.string()));
        auto [report, resolution] = parse_sample(entry.path());

        EXPECT_EQ(report.feedback_type, enum_spelling(theirs["feedback_type"]));
        EXPECT_EQ(report.user_agent, optional_string(theirs["user_agent"]));
        EXPECT_EQ(report.version, std::to_string(theirs["version"].get<int>()));
        EXPECT_EQ(report.original_mail_from, unbracketed(theirs["original_mail_from"]));
        std::string rcpt = unbracketed(theirs["original_rcpt_to"]);
        if (rcpt.empty()) {
            EXPECT_THAT(report.original_rcpt_to, IsEmpty());
        } else {
            EXPECT_THAT(report.original_rcpt_to, ElementsAre(rcpt));
        }
        if (theirs["arrival_date"].is_null()) {
            EXPECT_FALSE(report.arrival_date);
        } else {
            ASSERT_TRUE(report.arrival_date);
            EXPECT_EQ(std::chrono::system_clock::to_time_t(*report.arrival_date),
                      theirs["arrival_date"].get<std::int64_t>());
        }
        EXPECT_EQ(report.source_ip, optional_string(theirs["source_ip"]));
        EXPECT_EQ(report.reporting_mta, optional_string(theirs["reporting_mta"]));
        EXPECT_EQ(report.original_envelope_id, optional_string(theirs["original_envelope_id"]));
        EXPECT_EQ(report.reported_domains,
                  theirs["reported_domain"].get<std::vector<std::string>>());
        EXPECT_EQ(report.reported_uris, theirs["reported_uri"].get<std::vector<std::string>>());
        std::vector<std::string> their_results;
        for (const auto& result : theirs["authentication_results"]) {
            their_results.push_back(collapse_whitespace(result.get<std::string>()));
        }
        EXPECT_EQ(report.authentication_results, their_results);
        EXPECT_EQ(report.auth.auth_failure, enum_spelling(theirs["auth_failure"]));
        EXPECT_EQ(report.auth.dkim_domain, optional_string(theirs["dkim_domain"]));
        EXPECT_EQ(report.auth.dkim_identity, optional_string(theirs["dkim_identity"]));
        EXPECT_EQ(report.auth.dkim_selector, optional_string(theirs["dkim_selector"]));
        EXPECT_EQ(report.auth.dkim_canonicalized_body,
                  without_whitespace(optional_string(theirs["dkim_canonicalized_body"])));
        if (report.source_port) {
            EXPECT_EQ(*report.source_port, theirs["source_port"].get<int>());
        }
        if (!theirs["headers"].is_null()) {
            EXPECT_EQ(report.original.source, "text/rfc822-headers");
        }
        ++compared;
    }
    EXPECT_GT(compared, 0);
}

}  // namespace
}  // namespace fbl::feedback_loop
