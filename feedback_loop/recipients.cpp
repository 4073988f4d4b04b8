#include "feedback_loop/recipients.h"

#include <algorithm>
#include <memory>
#include <unordered_set>

#include "common/text.h"
#include "feedback_loop/field_block.h"
#include "feedback_loop/field_values.h"
#include "feedback_loop/redaction.h"

namespace fbl::feedback_loop {
namespace {

class ArfFieldsStep : public RecipientStep {
  public:
    std::vector<Candidate> candidates(const FeedbackReport& report, Resolution&) const override {
        std::vector<Candidate> found;
        for (const std::string& address : report.original_rcpt_to) {
            found.push_back({address, "original-rcpt-to"});
        }
        for (const std::string& address : report.removal_recipients) {
            found.push_back({address, "removal-recipient"});
        }
        return found;
    }
};

class VerpStep : public RecipientStep {
  public:
    explicit VerpStep(std::shared_ptr<const VerpDecoder> decoder) : decoder_(std::move(decoder)) {}

    std::vector<Candidate> candidates(const FeedbackReport& report, Resolution&) const override {
        for (const std::string* sender :
             {&report.original_mail_from, &report.original.return_path}) {
            if (auto recipient = decoder_->decode(*sender)) {
                return {{*recipient, "verp"}};
            }
        }
        return {};
    }

  private:
    std::shared_ptr<const VerpDecoder> decoder_;
};

class OriginalToStep : public RecipientStep {
  public:
    std::vector<Candidate> candidates(const FeedbackReport& report,
                                      Resolution& resolution) const override {
        if (report.redacted_address) {
            if (!report.original.to.empty()) {
                resolution.notes.push_back("original To ignored: the report has Redacted-Address");
            }
            return {};
        }
        if (report.original.to_undisclosed) {
            resolution.redacted = true;
            resolution.notes.push_back("original To is undisclosed");
        }
        std::vector<Candidate> found;
        for (const std::string& address : report.original.to) {
            found.push_back({address, "original-to"});
        }
        return found;
    }
};

class HotmailRecipientStep : public RecipientStep {
  public:
    std::vector<Candidate> candidates(const FeedbackReport& report, Resolution&) const override {
        if (report.original.x_hmxmr_original_recipient.empty()) {
            return {};
        }
        return {{report.original.x_hmxmr_original_recipient, "x-hmxmr-original-recipient"}};
    }
};

// A mailto unsubscribe request: the List-Unsubscribe address may encode the
// recipient (VERP); otherwise the request's sender is the one leaving.
class UnsubscribeAddressStep : public RecipientStep {
  public:
    explicit UnsubscribeAddressStep(std::shared_ptr<const VerpDecoder> decoder)
        : decoder_(std::move(decoder)) {}

    std::vector<Candidate> candidates(const FeedbackReport& report, Resolution&) const override {
        for (const std::string& to : report.report.to) {
            if (auto recipient = decoder_->decode(to)) {
                return {{*recipient, "unsubscribe-verp"}};
            }
        }
        return {};
    }

  private:
    std::shared_ptr<const VerpDecoder> decoder_;
};

class UnsubscribeSenderStep : public RecipientStep {
  public:
    std::vector<Candidate> candidates(const FeedbackReport& report, Resolution&) const override {
        if (report.report.from.empty()) {
            return {};
        }
        return {{report.report.from, "unsubscribe-sender"}};
    }
};

// RFC 5321 section 4.5.3.1.3: a path holds at most 256 octets, brackets included.
constexpr std::size_t kMaxAddressLength = 254;

// The domain's case never matters; the local part's may
// (suppression.lowercase_local_part: false).
std::string with_lower_domain(std::string address) {
    auto at = address.rfind('@');
    if (at != std::string::npos) {
        address = address.substr(0, at) + text::ascii_lower(address.substr(at));
    }
    return address;
}

bool plausible_address(std::string_view address) {
    std::size_t at = address.find('@');
    return address.size() <= kMaxAddressLength && at != std::string_view::npos && at > 0 &&
           at + 1 < address.size() && address.find('@', at + 1) == std::string_view::npos &&
           std::none_of(address.begin(), address.end(), [](unsigned char c) {
               return c <= ' ' || c == '<' || c == '>' || c == ',' || c == 127;
           });
}

}  // namespace

RecipientResolver::RecipientResolver(const config::FeedbackSettings& settings, ExtraSteps extra) {
    auto decoder = std::make_shared<const VerpDecoder>(settings.verp_patterns);
    report_steps_.push_back(std::make_unique<ArfFieldsStep>());
    if (extra.reference_header) {
        report_steps_.push_back(std::move(extra.reference_header));
    }
    if (extra.send_log) {
        report_steps_.push_back(std::move(extra.send_log));
    }
    report_steps_.push_back(std::make_unique<VerpStep>(decoder));
    report_steps_.push_back(std::make_unique<OriginalToStep>());
    report_steps_.push_back(std::make_unique<HotmailRecipientStep>());

    unsubscribe_steps_.push_back(std::make_unique<UnsubscribeAddressStep>(decoder));
    unsubscribe_steps_.push_back(std::make_unique<UnsubscribeSenderStep>());
}

Resolution RecipientResolver::resolve(const FeedbackReport& report,
                                      const ReferenceEvidence* reference) const {
    if (report.kind == ReportKind::not_a_report) {
        return {};
    }
    Resolution resolution =
        run(report.format == ReportFormat::unsubscribe_request ? unsubscribe_steps_ : report_steps_,
            report, reference);
    if (report.redacted_address) {
        resolution.redacted = true;
    }
    return resolution;
}

Resolution RecipientResolver::run(const std::vector<std::unique_ptr<RecipientStep>>& steps,
                                  const FeedbackReport& report,
                                  const ReferenceEvidence* reference) const {
    Resolution resolution;
    resolution.reference = reference;
    std::unordered_set<std::string> seen;
    for (const auto& step : steps) {
        for (Candidate& candidate : step->candidates(report, resolution)) {
            // The local part keeps its case: with lowercase_local_part off,
            // Bob@ and bob@ are two mailboxes (a lower-cased Bob@ was looked
            // up as bob@ and missed), and a re-key (issue 14 item 13) works
            // from the address as reported.
            std::string address = with_lower_domain(addr_spec(candidate.address));
            std::string folded = text::ascii_lower(address);
            if (auto reason = placeholder_reason(folded)) {
                resolution.redacted = resolution.redacted || hides_a_recipient(*reason);
                resolution.notes.push_back(candidate.evidence + " skipped (" + to_string(*reason) +
                                           "): " + address);
                continue;
            }
            if (!plausible_address(address)) {
                resolution.notes.push_back(candidate.evidence +
                                           " skipped (not an address): " + address);
                continue;
            }
            if (seen.insert(folded).second) {
                resolution.recipients.push_back({std::move(address), candidate.evidence});
            }
        }
        if (!resolution.recipients.empty()) {
            resolution.source = resolution.recipients.front().evidence;
            return resolution;
        }
    }
    resolution.unresolved = true;
    return resolution;
}

}  // namespace fbl::feedback_loop
