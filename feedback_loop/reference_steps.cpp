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

// The suppression keys the milter logged for one message.
std::vector<std::string> send_log_keys(suppression::Store& store, const std::string& message_id) {
    std::set<std::string> unique;
    for (const suppression::SendRecord& send : store.find_sends(message_id)) {
        unique.insert(send.recipient_key);
    }
    return {unique.begin(), unique.end()};
}

// The key a signed recipient claim stands for. The milter signs the
// normalised key already; normalising again keeps a token signed before a
// normalisation change comparable.
std::string claimed_key(const std::string& recipient,
                        const suppression::AddressNormalizer& normalizer) {
    suppression::NormalizedAddress normalized = normalizer.normalize(recipient);
    return normalized.ok() ? normalized.key : to_lower(recipient);
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
    ReferenceHeaderStep(const config::FeedbackSettings& settings,
                        const config::SuppressionSettings& suppression, suppression::Store& store)
        : settings_(settings), normalizer_(suppression), store_(store) {}

    std::vector<Candidate> candidates(const FeedbackReport& report,
                                      Resolution& resolution) const override {
        ReferenceEvidence evidence = examine_reference(report, settings_, store_, normalizer_);
        const ReferenceCheck& check = evidence.check;
        if (check.status == ReferenceCheck::Status::absent) {
            return {};
        }
        if (!evidence.valid()) {
            resolution.notes.push_back(std::string("reference-header skipped (") +
                                       to_string(check.status) + ")");
            return {};
        }
        if (!check.claims.recipient.empty()) {
            return {{check.claims.recipient, "reference-header"}};
        }
        return single_or_note(report, send_log_recipients(store_, check.claims.send_ref),
                              "send-log", check.claims.send_ref, resolution);
    }

  private:
    const config::FeedbackSettings& settings_;
    suppression::AddressNormalizer normalizer_;
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
                                    suppression::Store& store,
                                    const suppression::AddressNormalizer& normalizer,
                                    std::chrono::system_clock::time_point now) {
    ReferenceEvidence evidence;
    evidence.original_logged = !report.original.message_id.empty() &&
                               !store.find_sends(report.original.message_id).empty();
    evidence.check = verify_reference(report.original.reference, settings.reference_header.keys);
    apply_replay_window(evidence.check, settings.reference_header.max_age, now);
    if (!evidence.valid()) {
        return evidence;
    }
    const ReferenceClaims& claims = evidence.check.claims;
    if (!claims.recipient.empty()) {
        evidence.vouched.push_back(claimed_key(claims.recipient, normalizer));
    } else if (!claims.send_ref.empty()) {
        evidence.vouched = send_log_keys(store, claims.send_ref);
        evidence.one_of_many = evidence.vouched.size() > 1;
    }
    return evidence;
}

ExtraSteps make_reference_steps(const config::FeedbackSettings& settings,
                                const config::SuppressionSettings& suppression,
                                suppression::Store& store) {
    ExtraSteps steps;
    steps.reference_header = std::make_unique<ReferenceHeaderStep>(settings, suppression, store);
    steps.send_log = std::make_unique<SendLogStep>(store);
    return steps;
}

}  // namespace fbl::feedback_loop
