#include "feedback_loop/reference_steps.h"

#include <algorithm>
#include <iterator>
#include <set>

#include "feedback_loop/field_block.h"
#include "feedback_loop/field_values.h"
#include "feedback_loop/redaction.h"

namespace fbl::feedback_loop {
namespace {

std::vector<std::string> send_log_recipients(suppression::Store& store,
                                             const std::string& message_id) {
    std::set<std::string> unique;
    for (const suppression::SendRecord& send : store.find_sends(message_id)) {
        unique.insert(to_lower(send.recipient.empty() ? send.recipient_key : send.recipient));
    }
    return {unique.begin(), unique.end()};
}

std::string domain_of(const std::string& address) {
    auto at = address.rfind('@');
    return at == std::string::npos ? std::string() : address.substr(at + 1);
}

// Domains of the placeholders a redacting provider left ("redacted@aol.com"):
// the reported copy was delivered to a recipient at one of them.
std::set<std::string> redacted_domains(const FeedbackReport& report) {
    std::set<std::string> domains;
    auto consider = [&](std::string_view text) {
        std::string address = to_lower(addr_spec(text));
        auto reason = placeholder_reason(address);
        if (reason && *reason != "not an address") {
            domains.insert(domain_of(address));
        }
    };
    for (const auto* list : {&report.original_rcpt_to, &report.original.to}) {
        for (const std::string& address : *list) {
            consider(address);
        }
    }
    consider(report.redacted_address_value);
    return domains;
}

// Exactly one candidate resolves. Of several (a multi-recipient message),
// the only one at the redacted placeholder's domain resolves; otherwise they
// are noted and resolve nobody.
std::vector<Candidate> single_or_note(const FeedbackReport& report,
                                      const std::vector<std::string>& recipients,
                                      const std::string& evidence, const std::string& message_id,
                                      Resolution& resolution) {
    if (recipients.size() == 1) {
        return {{recipients.front(), evidence}};
    }
    if (recipients.size() > 1) {
        auto domains = redacted_domains(report);
        std::vector<std::string> at_domain;
        std::copy_if(recipients.begin(), recipients.end(), std::back_inserter(at_domain),
                     [&](const std::string& r) { return domains.contains(domain_of(r)); });
        if (at_domain.size() == 1) {
            resolution.notes.push_back(evidence + ": " + std::to_string(recipients.size()) +
                                       " recipients sent Message-ID " + message_id +
                                       "; the only one at the redacted recipient's domain");
            return {{at_domain.front(), evidence}};
        }
        resolution.notes.push_back(evidence + ": " + std::to_string(recipients.size()) +
                                   " recipients sent Message-ID " + message_id +
                                   "; not choosing one (stored for review)");
    }
    return {};
}

class ReferenceHeaderStep : public RecipientStep {
  public:
    ReferenceHeaderStep(const config::FeedbackSettings& settings, suppression::Store& store)
        : settings_(settings), store_(store) {}

    std::vector<Candidate> candidates(const FeedbackReport& report,
                                      Resolution& resolution) const override {
        ReferenceEvidence evidence = examine_reference(report, settings_, store_);
        const ReferenceCheck& check = evidence.check;
        if (check.status == ReferenceCheck::Status::absent) {
            return {};
        }
        if (evidence.failed()) {
            resolution.notes.push_back(std::string("reference-header skipped (") +
                                       to_string(check.status) + ")");
            return {};
        }
        if (!check.claims.recipient.empty()) {
            return {{check.claims.recipient, "reference-header"}};
        }
        return single_or_note(report, evidence.vouched, "send-log", check.claims.send_ref,
                              resolution);
    }

  private:
    const config::FeedbackSettings& settings_;
    suppression::Store& store_;
};

class SendLogStep : public RecipientStep {
  public:
    explicit SendLogStep(suppression::Store& store) : store_(store) {}

    std::vector<Candidate> candidates(const FeedbackReport& report,
                                      Resolution& resolution) const override {
        const std::string& message_id = report.original.message_id;
        if (message_id.empty()) {
            return {};
        }
        return single_or_note(report, send_log_recipients(store_, message_id), "send-log",
                              message_id, resolution);
    }

  private:
    suppression::Store& store_;
};

}  // namespace

ReferenceEvidence examine_reference(const FeedbackReport& report,
                                    const config::FeedbackSettings& settings,
                                    suppression::Store& store) {
    ReferenceEvidence evidence;
    evidence.check = verify_reference(report.original.reference, settings.reference_header.keys);
    if (evidence.check.status != ReferenceCheck::Status::valid) {
        return evidence;
    }
    const ReferenceClaims& claims = evidence.check.claims;
    if (!claims.recipient.empty()) {
        evidence.vouched.push_back(to_lower(claims.recipient));
    } else if (!claims.send_ref.empty()) {
        evidence.vouched = send_log_recipients(store, claims.send_ref);
    }
    return evidence;
}

ExtraSteps make_reference_steps(const config::FeedbackSettings& settings,
                                suppression::Store& store) {
    ExtraSteps steps;
    steps.reference_header = std::make_unique<ReferenceHeaderStep>(settings, store);
    steps.send_log = std::make_unique<SendLogStep>(store);
    return steps;
}

}  // namespace fbl::feedback_loop
