#pragma once

#include <chrono>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "feedback_loop/recipients.h"
#include "feedback_loop/reference_steps.h"
#include "feedback_loop/report.h"
#include "feedback_loop/sent_mail.h"

namespace fbl::feedback_loop {

struct TrustDecision {
    bool trusted = false;
    std::string reason;  // "reference-header k1", "dkim fbl.provider.example",
                         // "trust: any (report not verified)", "untrusted: ..."
    // The resolved addresses the proof covers: only these may be suppressed.
    // Empty when untrusted.
    std::vector<std::string> covered;
    // The DKIM key lookup failed temporarily and the report is young enough
    // to be asked for again: store nothing, tempfail (see TemporaryTrustFailure).
    bool retry_later = false;
};

// Thrown by Intake::take when trust cannot be decided now (a DKIM key lookup
// failed temporarily): nothing was stored; the milter answers 4xx and
// `fblctl ingest` exits 75, so the provider delivers the report again.
class TemporaryTrustFailure : public std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Whether a report may change state, and for whom (DESIGN.md, "Trust";
// docs/trust.md). Nothing that arrives with the message vouches for it: an
// Authentication-Results header was written by whoever sent the report.
//  reference: our reference header verifies (inside its replay window) and
//             names the recipient: it covers that one recipient;
//  dkim:      the report carries a passing DKIM signature of a configured
//             reporter domain AND its attached original is our mail (our
//             reference header, a send-log hit, or an our_domains From/d=):
//             the provider vouches for the recipients it names;
//  either:    one of the two;  any: everything (unsafe).
// A report resolving to more than max_recipients_per_report recipients is
// untrusted under every policy. A reference header that is present but fails
// verification makes the report untrusted under every policy but `any`:
// somebody edited our mail.
TrustDecision decide_trust(
    const FeedbackReport& report, const Resolution& resolution, const ReferenceEvidence& reference,
    std::string_view raw_message, const config::FeedbackSettings& settings, const KeyOf& key_of,
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

}  // namespace fbl::feedback_loop
