#include "feedback_loop/reference_steps.h"

#include <algorithm>
#include <iterator>
#include <set>

#include "common/text.h"
#include "feedback_loop/field_block.h"
#include "feedback_loop/field_values.h"
#include "feedback_loop/redaction.h"

namespace fbl::feedback_loop {
namespace {

std::vector<std::string> send_log_recipients(SentMail& sent, const std::string& message_id) {
    std::set<std::string> unique;
    for (const SentCopy& send : sent.recipients_of(message_id)) {
        unique.insert(
            text::ascii_lower(send.recipient.empty() ? send.recipient_key : send.recipient));
    }
    return {unique.begin(), unique.end()};
}

// The suppression keys the milter logged for one message.
std::vector<std::string> send_log_keys(SentMail& sent, const std::string& message_id) {
    std::set<std::string> unique;
    for (const SentCopy& send : sent.recipients_of(message_id)) {
        unique.insert(send.recipient_key);
    }
    return {unique.begin(), unique.end()};
}

// The key a signed recipient claim stands for. The milter signs the
// normalised key already; normalising again keeps a token signed before a
// normalisation change comparable.
std::string claimed_key(const std::string& recipient, const KeyOf& key_of) {
    std::string key = key_of(recipient);
    return key.empty() ? text::ascii_lower(recipient) : key;
}

// Domains of the placeholders a redacting provider left ("redacted@aol.com"):
// the reported copy was delivered to a recipient at one of them.
std::set<std::string> redacted_domains(const FeedbackReport& report) {
    std::set<std::string> domains;
    auto consider = [&](std::string_view text) {
        std::string address = text::ascii_lower(addr_spec(text));
        auto reason = placeholder_reason(address);
        if (reason && hides_a_recipient(*reason)) {
            domains.insert(text::domain_of(address));
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
                     [&](const std::string& r) { return domains.contains(text::domain_of(r)); });
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
    explicit ReferenceHeaderStep(SentMail& sent) : sent_(sent) {}

    std::vector<Candidate> candidates(const FeedbackReport& report,
                                      Resolution& resolution) const override {
        if (resolution.reference == nullptr) {
            return {};  // the caller examined no reference (fblctl parse)
        }
        const ReferenceEvidence& evidence = *resolution.reference;
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
        return single_or_note(report, send_log_recipients(sent_, check.claims.send_ref), "send-log",
                              check.claims.send_ref, resolution);
    }

  private:
    SentMail& sent_;
};

class SendLogStep : public RecipientStep {
  public:
    explicit SendLogStep(SentMail& sent) : sent_(sent) {}

    std::vector<Candidate> candidates(const FeedbackReport& report,
                                      Resolution& resolution) const override {
        const std::string& message_id = report.original.message_id;
        if (message_id.empty()) {
            return {};
        }
        return single_or_note(report, send_log_recipients(sent_, message_id), "send-log",
                              message_id, resolution);
    }

  private:
    SentMail& sent_;
};

}  // namespace

ReferenceEvidence examine_reference(const FeedbackReport& report,
                                    const config::FeedbackSettings& settings, SentMail& sent,
                                    const KeyOf& key_of,
                                    std::chrono::system_clock::time_point now) {
    ReferenceEvidence evidence;
    evidence.original_logged = !report.original.message_id.empty() &&
                               !sent.recipients_of(report.original.message_id).empty();
    evidence.check = verify_reference(report.original.reference, settings.reference_header.keys);
    apply_replay_window(evidence.check, settings.reference_header.max_age, now);
    if (!evidence.valid()) {
        return evidence;
    }
    const ReferenceClaims& claims = evidence.check.claims;
    if (!claims.recipient.empty()) {
        evidence.vouched.push_back(claimed_key(claims.recipient, key_of));
    } else if (!claims.send_ref.empty()) {
        evidence.vouched = send_log_keys(sent, claims.send_ref);
        evidence.one_of_many = evidence.vouched.size() > 1;
    }
    return evidence;
}

ExtraSteps make_reference_steps(SentMail& sent) {
    ExtraSteps steps;
    steps.reference_header = std::make_unique<ReferenceHeaderStep>(sent);
    steps.send_log = std::make_unique<SendLogStep>(sent);
    return steps;
}

}  // namespace fbl::feedback_loop
