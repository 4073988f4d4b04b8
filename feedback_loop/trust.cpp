#include "feedback_loop/trust.h"

#include <algorithm>
#include <regex>

#include "feedback_loop/dkim.h"
#include "feedback_loop/field_block.h"

namespace fbl::feedback_loop {
namespace {

const char* policy_name(config::TrustPolicy policy) {
    switch (policy) {
        case config::TrustPolicy::reference:
            return "reference";
        case config::TrustPolicy::dkim:
            return "dkim";
        case config::TrustPolicy::either:
            return "either";
        case config::TrustPolicy::any:
            return "any";
    }
    return "?";
}

bool reference_vouches(const Resolution& resolution, const ReferenceEvidence& reference) {
    if (reference.check.status != ReferenceCheck::Status::valid || resolution.recipients.empty()) {
        return false;
    }
    return std::all_of(resolution.recipients.begin(), resolution.recipients.end(),
                       [&](const ResolvedRecipient& recipient) {
                           return std::find(reference.vouched.begin(), reference.vouched.end(),
                                            to_lower(recipient.address)) != reference.vouched.end();
                       });
}

}  // namespace

std::string authentication_results_dkim_domain(const FeedbackReport& report,
                                               const config::FeedbackSettings& settings) {
    // Only the topmost header: our own MTA adds it last, so it sits first;
    // anything below came with the message and may be forged.
    if (report.report.authentication_results.empty()) {
        return "";
    }
    const std::string value = to_lower(report.report.authentication_results.front());
    std::string authserv_id(trim(value.substr(0, value.find(';'))));
    authserv_id = authserv_id.substr(0, authserv_id.find_first_of(" \t"));
    bool trusted_id =
        std::any_of(settings.trusted_authserv_ids.begin(), settings.trusted_authserv_ids.end(),
                    [&](const std::string& id) { return to_lower(id) == authserv_id; });
    if (!trusted_id) {
        return "";
    }
    static const std::regex kDkimPass(R"(dkim\s*=\s*pass\b[^;]*?\bheader\.d\s*=\s*([a-z0-9.-]+))");
    std::string rest = value.find(';') == std::string::npos ? "" : value.substr(value.find(';'));
    for (std::sregex_iterator it(rest.begin(), rest.end(), kDkimPass), end; it != end; ++it) {
        std::string domain = (*it)[1].str();
        if (is_reporter_domain(domain, settings)) {
            return domain;
        }
    }
    return "";
}

TrustDecision decide_trust(const FeedbackReport& report, const Resolution& resolution,
                           const ReferenceEvidence& reference, std::string_view raw_message,
                           const config::FeedbackSettings& settings) {
    if (settings.trust == config::TrustPolicy::any) {
        return {true, "trust: any (report not verified)"};
    }
    if (reference.failed()) {
        return {false,
                std::string("untrusted: reference header ") + to_string(reference.check.status)};
    }
    bool by_reference = settings.trust != config::TrustPolicy::dkim;
    bool by_dkim = settings.trust != config::TrustPolicy::reference;
    if (by_reference && reference_vouches(resolution, reference)) {
        return {true, "reference-header " + reference.check.key_id};
    }
    std::string dkim_detail;
    if (by_dkim) {
        DkimVerdict dkim = verify_reporter_dkim(raw_message, settings);
        if (dkim.passed) {
            return {true, "dkim " + dkim.domain};
        }
        dkim_detail = dkim.detail;
        std::string domain = authentication_results_dkim_domain(report, settings);
        if (!domain.empty()) {
            return {true, "authentication-results dkim " + domain};
        }
    }
    std::string why = reference.check.status == ReferenceCheck::Status::valid
                          ? "the reference header does not vouch for the resolved recipient"
                          : "no reference header and no verified reporter DKIM signature";
    if (!dkim_detail.empty()) {
        why += " (" + dkim_detail + ")";
    }
    return {false,
            std::string("untrusted: trust policy '") + policy_name(settings.trust) + "': " + why};
}

}  // namespace fbl::feedback_loop
