#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "feedback_loop/report.h"
#include "feedback_loop/verp.h"

// Which recipient a report is about (DESIGN.md, "Recipient resolution"):
// the steps run in order and the first that yields a real address wins.
namespace fbl::feedback_loop {

struct ResolvedRecipient {
    std::string address;   // lower-cased addr-spec
    std::string evidence;  // the step that gave it, e.g. "original-rcpt-to"
};

struct ReferenceEvidence;  // reference_steps.h

struct Resolution {
    // In: what the reference header proves, examined once by the caller
    // (null: not examined); the reference step reads it.
    const ReferenceEvidence* reference = nullptr;
    std::vector<ResolvedRecipient> recipients;
    std::string source;     // evidence of the step that resolved; "" when unresolved
    bool redacted = false;  // a placeholder was seen (and skipped)
    bool unresolved = false;
    std::vector<std::string> notes;  // what was skipped and why
};

// A candidate a step found; the resolver drops placeholders.
struct Candidate {
    std::string address;
    std::string evidence;
};

// One link of the chain. Steps that need the send log or the reference-header
// keys (issue 7) implement this too and are handed to the resolver.
class RecipientStep {
  public:
    virtual ~RecipientStep() = default;
    virtual std::vector<Candidate> candidates(const FeedbackReport& report,
                                              Resolution& resolution) const = 0;
};

// Steps other modules add, in the places DESIGN.md gives them.
struct ExtraSteps {
    std::unique_ptr<RecipientStep> reference_header;  // 2nd: signed header in the original
    std::unique_ptr<RecipientStep> send_log;          // 3rd: original Message-ID in the send log
};

class RecipientResolver {
  public:
    // Original-Rcpt-To/Removal-Recipient -> [reference header] -> [send log]
    // -> VERP -> original To (unless redacted) -> X-HmXmrOriginalRecipient.
    explicit RecipientResolver(const config::FeedbackSettings& settings, ExtraSteps extra = {});

    Resolution resolve(const FeedbackReport& report,
                       const ReferenceEvidence* reference = nullptr) const;

  private:
    Resolution run(const std::vector<std::unique_ptr<RecipientStep>>& steps,
                   const FeedbackReport& report, const ReferenceEvidence* reference) const;

    std::vector<std::unique_ptr<RecipientStep>> report_steps_;
    std::vector<std::unique_ptr<RecipientStep>> unsubscribe_steps_;
};

}  // namespace fbl::feedback_loop
