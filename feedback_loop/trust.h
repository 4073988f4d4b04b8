#pragma once

#include <string>
#include <string_view>

#include "config/config.h"
#include "feedback_loop/recipients.h"
#include "feedback_loop/reference_steps.h"
#include "feedback_loop/report.h"

namespace fbl::feedback_loop {

struct TrustDecision {
    bool trusted = false;
    std::string reason;  // "reference-header k1", "authentication-results mx.example.com ...",
                         // "trust: any (unverified)", "untrusted: ..."
};

// Whether a report may change state (DESIGN.md, "Trust"; docs/trust.md).
//  reference: our reference header verifies and vouches for every resolved recipient;
//  dkim:      the report's DKIM signature is vouched for by the topmost
//             Authentication-Results of a trusted authserv-id (dkim=pass for a
//             configured reporter domain);
//  either:    one of the two;  any: everything (unsafe).
// A reference header that is present but fails verification makes the report
// untrusted under every policy but `any`: somebody edited our mail.
TrustDecision decide_trust(const FeedbackReport& report, const Resolution& resolution,
                           const ReferenceEvidence& reference, std::string_view raw_message,
                           const config::FeedbackSettings& settings);

// The reporter domain a trusted Authentication-Results header says passed
// DKIM, or "" (exposed for tests).
std::string authentication_results_dkim_domain(const FeedbackReport& report,
                                               const config::FeedbackSettings& settings);

}  // namespace fbl::feedback_loop
