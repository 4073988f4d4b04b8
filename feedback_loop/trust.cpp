#include "feedback_loop/trust.h"

#include <algorithm>

#include "common/text.h"
#include "feedback_loop/dkim.h"
#include "feedback_loop/field_block.h"
#include "feedback_loop/limits.h"

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

std::vector<std::string> all_addresses(const Resolution& resolution) {
    std::vector<std::string> addresses;
    for (const ResolvedRecipient& recipient : resolution.recipients) {
        addresses.push_back(recipient.address);
    }
    return addresses;
}

std::string key_or_lower(const std::string& address, const KeyOf& key_of) {
    std::string key = key_of(address);
    return key.empty() ? text::ascii_lower(address) : key;
}

// The resolved recipients the reference header names, compared as
// suppression keys: the milter signs the normalised key, the report gives
// the address as delivered (John.Doe+news@Example.com).
std::vector<std::string> reference_covers(const Resolution& resolution,
                                          const ReferenceEvidence& reference, const KeyOf& key_of) {
    std::vector<std::string> covered;
    if (!reference.valid()) {
        return covered;
    }
    for (const ResolvedRecipient& recipient : resolution.recipients) {
        std::string key = key_or_lower(recipient.address, key_of);
        if (std::find(reference.vouched.begin(), reference.vouched.end(), key) !=
            reference.vouched.end()) {
            covered.push_back(recipient.address);
        }
    }
    return covered;
}

// Why the attached original is our mail, or "" when nothing says so. A
// genuine provider report about someone else's mail must not unsubscribe
// our customers.
std::string why_ours(const FeedbackReport& report, const ReferenceEvidence& reference,
                     const config::FeedbackSettings& settings) {
    if (reference.valid()) {
        return "reference header";
    }
    if (reference.original_logged) {
        return "send log";
    }
    std::string from_domain = text::domain_of(report.original.from);
    if (report.original.from.find('@') != std::string::npos &&
        domain_in(from_domain, settings.our_domains)) {
        return "From " + text::ascii_lower(from_domain);
    }
    for (const std::string& domain : report.original.dkim_domains) {
        if (domain_in(domain, settings.our_domains)) {
            return "DKIM d=" + domain;
        }
    }
    return "";
}

// The report's own date, else when the provider says the original arrived.
std::optional<TimePoint> report_time(const FeedbackReport& report) {
    return report.report.date ? report.report.date : report.arrival_date;
}

TrustDecision untrusted(std::string reason) {
    return {false, "untrusted: " + std::move(reason), {}, false};
}

std::string days_text(std::chrono::seconds duration) {
    auto hours = std::chrono::duration_cast<std::chrono::hours>(duration).count();
    return hours % 24 == 0 ? std::to_string(hours / 24) + "d" : std::to_string(hours) + "h";
}

}  // namespace

TrustDecision decide_trust(const FeedbackReport& report, const Resolution& resolution,
                           const ReferenceEvidence& reference, std::string_view raw_message,
                           const config::FeedbackSettings& settings, const KeyOf& key_of,
                           std::chrono::system_clock::time_point now) {
    auto limit = static_cast<std::size_t>(settings.max_recipients_per_report);
    if (resolution.recipients.size() > limit) {
        return untrusted(std::to_string(resolution.recipients.size()) +
                         " recipients, over max_recipients_per_report (" + std::to_string(limit) +
                         "); stored for review, nobody suppressed");
    }
    if (report.recipients_truncated) {
        // The parser kept only its cap: whoever it dropped cannot be weighed,
        // so the report acts on nobody.
        return untrusted("more recipients than the parser keeps (" +
                         std::to_string(limits::kMaxRecipientsPerReport) +
                         "); stored for review, nobody suppressed");
    }
    if (settings.trust == config::TrustPolicy::any) {
        return {true, "trust: any (report not verified)", all_addresses(resolution), false};
    }
    if (reference.failed()) {
        return untrusted(std::string("reference header ") + to_string(reference.check.status));
    }
    bool by_reference = settings.trust != config::TrustPolicy::dkim;
    bool by_dkim = settings.trust != config::TrustPolicy::reference;
    std::vector<std::string> why_not;
    if (reference.check.status == ReferenceCheck::Status::expired ||
        reference.check.status == ReferenceCheck::Status::future) {
        why_not.push_back(std::string("reference header ") + to_string(reference.check.status) +
                          " (signed at " + std::to_string(reference.check.claims.timestamp) +
                          ", outside the replay window)");
    }
    if (by_reference && reference.valid()) {
        std::vector<std::string> covered = reference_covers(resolution, reference, key_of);
        if (covered.size() == 1 || (!covered.empty() && !reference.one_of_many)) {
            return {true, "reference-header " + reference.check.key_id, std::move(covered), false};
        }
        why_not.push_back(covered.empty()
                              ? "the reference header does not vouch for the resolved recipient"
                              : "the reference header's send log names " +
                                    std::to_string(covered.size()) +
                                    " of the report's recipients; it proves we sent the "
                                    "message, not which of them complained");
    }
    if (by_dkim) {
        DkimVerdict dkim = verify_reporter_dkim(raw_message, settings);
        if (dkim.passed) {
            std::string ours = why_ours(report, reference, settings);
            if (!ours.empty()) {
                return {true, "dkim " + dkim.domain + " (our mail: " + ours + ")",
                        all_addresses(resolution), false};
            }
            why_not.push_back("DKIM of " + dkim.domain +
                              " verifies, but the attached original is not our mail (no "
                              "reference header, no send-log entry, From/d= not in our_domains)");
        } else if (dkim.temporary) {
            auto sent = report_time(report);
            if (sent && now - *sent <= settings.dkim_tempfail_for) {
                return {false, dkim.detail, {}, true};
            }
            why_not.push_back(dkim.detail + ", for longer than dkim_tempfail_for (" +
                              days_text(settings.dkim_tempfail_for) + ")");
        } else {
            why_not.push_back(dkim.detail);
        }
    }
    if (why_not.empty()) {
        why_not.push_back("no reference header and no verified reporter DKIM signature");
    } else if (reference.check.status == ReferenceCheck::Status::absent && by_reference) {
        why_not.insert(why_not.begin(), "no reference header");
    }
    std::string why;
    for (const std::string& part : why_not) {
        why += (why.empty() ? "" : "; ") + part;
    }
    return untrusted(std::string("trust policy '") + policy_name(settings.trust) + "': " + why);
}

}  // namespace fbl::feedback_loop
