#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "config/config.h"
#include "feedback_loop/recipients.h"
#include "feedback_loop/reference.h"
#include "feedback_loop/report.h"
#include "feedback_loop/sent_mail.h"

// Issue 7's two resolution steps (DESIGN.md, "Recipient resolution"): our
// signed reference header in the attached original, then the original's
// Message-ID in the send log.
namespace fbl::feedback_loop {

// What the reference header of the attached original proves.
struct ReferenceEvidence {
    ReferenceCheck check;
    // Suppression keys (normalised, as the milter signs them) a VALID header
    // vouches for: its recipient claim, or every send-log recipient of its
    // send_ref. Empty otherwise.
    std::vector<std::string> vouched;
    // `vouched` lists everybody a multi-recipient message went to: the proof
    // shows we sent it, and covers at most ONE of them as the complainant.
    bool one_of_many = false;
    // The original's Message-ID is in our send log: the original is our mail.
    bool original_logged = false;

    // Whether a header is present but does not verify: such a report is
    // untrusted whatever else it says. (expired/future tokens are ours, just
    // outside the replay window: they prove nothing, and taint nothing.)
    bool failed() const {
        return check.status == ReferenceCheck::Status::malformed ||
               check.status == ReferenceCheck::Status::unknown_key ||
               check.status == ReferenceCheck::Status::bad_tag;
    }
    bool valid() const { return check.status == ReferenceCheck::Status::valid; }
};

// Verifies the reference header once per report; the resolver's reference
// step and the trust decision both read the result.
ReferenceEvidence examine_reference(
    const FeedbackReport& report, const config::FeedbackSettings& settings, SentMail& sent,
    const KeyOf& key_of,
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

// The reference-header and send-log steps. The first reads the evidence the
// caller examined (Resolution::reference); `sent` must outlive the resolver.
//
// A report is about ONE recipient. When the send log gives several
// recipients (a multi-recipient message) and no earlier step (Original-Rcpt-To)
// named one, the only one at the domain of the report's redacted placeholder
// (redacted@aol.com: the reported copy went to aol.com) resolves. Otherwise
// the steps resolve nobody: the complaint is stored unresolved with a note
// listing how many candidates there were, for review. Suppressing every
// recipient of the message would punish people who did not complain.
ExtraSteps make_reference_steps(SentMail& sent);

}  // namespace fbl::feedback_loop
