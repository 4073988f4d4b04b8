#pragma once

#include <string>
#include <vector>

#include "config/config.h"
#include "feedback_loop/recipients.h"
#include "feedback_loop/reference.h"
#include "feedback_loop/report.h"
#include "suppression/store.h"

// Issue 7's two resolution steps (DESIGN.md, "Recipient resolution"): our
// signed reference header in the attached original, then the original's
// Message-ID in the send log.
namespace fbl::feedback_loop {

// What the reference header of the attached original proves.
struct ReferenceEvidence {
    ReferenceCheck check;
    // Lower-cased addresses a VALID header vouches for: its recipient claim,
    // or every send-log recipient of its send_ref. Empty otherwise.
    std::vector<std::string> vouched;
    // Whether a header is present but does not verify: such a report is
    // untrusted whatever else it says.
    bool failed() const {
        return check.status != ReferenceCheck::Status::absent &&
               check.status != ReferenceCheck::Status::valid;
    }
};

ReferenceEvidence examine_reference(const FeedbackReport& report,
                                    const config::FeedbackSettings& settings,
                                    suppression::Store& store);

// The reference-header and send-log steps over `store`; both outlive nothing
// but the store and settings, which must outlive the resolver.
//
// A report is about ONE recipient. When the send log gives several
// recipients (a multi-recipient message) and no earlier step (Original-Rcpt-To)
// named one, the only one at the domain of the report's redacted placeholder
// (redacted@aol.com: the reported copy went to aol.com) resolves. Otherwise
// the steps resolve nobody: the complaint is stored unresolved with a note
// listing how many candidates there were, for review. Suppressing every
// recipient of the message would punish people who did not complain.
ExtraSteps make_reference_steps(const config::FeedbackSettings& settings,
                                suppression::Store& store);

}  // namespace fbl::feedback_loop
