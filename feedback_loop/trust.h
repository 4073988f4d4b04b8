#pragma once

#include <string>
#include <string_view>

#include "config/config.h"
#include "feedback_loop/recipients.h"
#include "feedback_loop/report.h"

namespace fbl::feedback_loop {

struct TrustDecision {
    bool trusted = false;
    std::string reason;  // "trust: any (unverified)", "untrusted: ..."
};

// Whether a report may change state (DESIGN.md, "Trust"). Today only
// `trust: any` trusts; issue 7 adds the verified reference header and the
// reporter's DKIM signature here (hence the raw bytes, which DKIM verifies),
// so every caller gets them at once.
TrustDecision decide_trust(const FeedbackReport& report, const Resolution& resolution,
                           std::string_view raw_message, const config::FeedbackSettings& settings);

}  // namespace fbl::feedback_loop
