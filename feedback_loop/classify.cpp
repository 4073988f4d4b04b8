#include "feedback_loop/classify.h"

#include <array>
#include <string_view>

#include "common/text.h"
#include "feedback_loop/field_block.h"

namespace fbl::feedback_loop {
namespace {

constexpr std::array<std::string_view, 7> kComplaintTypes{
    "abuse", "fraud", "virus", "other", "opt-out", "optout", "opt-out-list"};

bool is_complaint_type(std::string_view type) {
    for (std::string_view known : kComplaintTypes) {
        if (type == known) {
            return true;
        }
    }
    return false;
}

// ReturnPath-style loops say "Abuse-Type: complaint" next to (or instead of)
// Feedback-Type.
bool has_extension(const FeedbackReport& report, std::string_view name) {
    for (const auto& [field, values] : report.extensions) {
        if (text::iequals(field, name)) {
            return true;
        }
    }
    return false;
}

ReportKind classify_arf(FeedbackReport& report) {
    const std::string& type = report.feedback_type;
    if (type.empty()) {
        if (!report.auth.auth_failure.empty()) {
            report.warnings.push_back(
                "no Feedback-Type; Auth-Failure present: taken as auth-failure");
            report.feedback_type = "auth-failure";
            return ReportKind::auth_failure;
        }
        report.warnings.push_back(has_extension(report, "Abuse-Type")
                                      ? "no Feedback-Type; Abuse-Type present: taken as abuse"
                                      : "no Feedback-Type: taken as abuse");
        report.feedback_type = "abuse";
        return ReportKind::complaint;
    }
    if (type == "not-spam") {
        return ReportKind::not_spam;
    }
    if (type == "auth-failure") {
        return ReportKind::auth_failure;
    }
    if (type == "unsubscribe") {
        return ReportKind::unsubscribe;
    }
    if (!is_complaint_type(type)) {
        report.warnings.push_back("unknown Feedback-Type '" + type +
                                  "' handled as 'other' (RFC 5965 section 7.3)");
    }
    return ReportKind::complaint;
}

}  // namespace

void classify(FeedbackReport& report) {
    if (is_arf(report.format)) {
        report.kind = classify_arf(report);
    } else if (is_jmrp(report.format)) {
        report.kind = ReportKind::complaint;
        if (report.feedback_type.empty()) {
            report.feedback_type = "abuse";
        }
    } else if (report.format == ReportFormat::unsubscribe_request) {
        report.kind = ReportKind::unsubscribe;
        report.feedback_type = "unsubscribe";
    } else {
        report.kind = ReportKind::not_a_report;
    }
    if (report.version.empty() && is_arf(report.format)) {
        report.warnings.push_back("no Version field");
    } else if (!report.version.empty() && report.version != "1") {
        report.warnings.push_back("Version " + report.version + " (RFC 5965 says 1)");
    }
    if (report.user_agent.empty() && is_arf(report.format)) {
        report.warnings.push_back("no User-Agent field");
    }
}

}  // namespace fbl::feedback_loop
