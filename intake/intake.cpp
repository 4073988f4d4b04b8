#include "intake/intake.h"

#include <algorithm>

#include "common/text.h"
#include "crm/job_payload.h"
#include "crm/mailgun_lift.h"
#include "feedback_loop/field_block.h"
#include "feedback_loop/field_values.h"
#include "feedback_loop/reference_steps.h"
#include "feedback_loop/report_json.h"
#include "intake/parts_hash.h"
#include "intake/raw_copy.h"
#include "intake/stored_size.h"

namespace fbl::intake {

using feedback_loop::ExtraSteps;
using feedback_loop::iso8601;
using feedback_loop::normalise_line_endings;
using feedback_loop::ReferenceCheck;
using feedback_loop::ReferenceEvidence;
using feedback_loop::Resolution;
using feedback_loop::ResolvedRecipient;
using feedback_loop::to_string;
using feedback_loop::TrustDecision;

namespace {

constexpr std::string_view kDedupVersion = "fbl-dedup-v1";

std::string_view body_after_top_headers(std::string_view normalised) {
    std::size_t end = normalised.find("\n\n");
    return end == std::string_view::npos ? std::string_view{} : normalised.substr(end + 2);
}

store::ComplaintKind kind_of(ReportKind kind) {
    switch (kind) {
        case ReportKind::complaint:
            return store::ComplaintKind::complaint;
        case ReportKind::not_spam:
            return store::ComplaintKind::not_spam;
        case ReportKind::auth_failure:
            return store::ComplaintKind::auth_failure;
        case ReportKind::unsubscribe:
            return store::ComplaintKind::unsubscribe;
        case ReportKind::not_a_report:
            break;
    }
    return store::ComplaintKind::not_a_report;
}

}  // namespace

bool suppresses(ReportKind kind) {
    return kind == ReportKind::complaint || kind == ReportKind::unsubscribe;
}

std::string dedup_key(const FeedbackReport& report, std::string_view raw_message) {
    // The recipients as the report states them, not as resolved: resolution
    // may later consult state (the send log) that changes between deliveries.
    std::vector<std::string> recipients;
    for (const auto* list :
         {&report.original_rcpt_to, &report.removal_recipients, &report.original.to}) {
        for (const std::string& address : *list) {
            recipients.push_back(text::ascii_lower(address));
        }
    }
    recipients.push_back(text::ascii_lower(report.original.x_hmxmr_original_recipient));
    std::sort(recipients.begin(), recipients.end());
    PartsHash hash;
    hash.add(kDedupVersion)
        .add(report.report.reporter_domain)
        .add(report.report.message_id)
        .add(report.original.message_id)
        .add(report.feedback_type)
        .add(to_string(report.kind));
    for (const std::string& recipient : recipients) {
        hash.add(recipient);
    }
    if (report.report.message_id.empty()) {
        std::string normalised = normalise_line_endings(raw_message);
        hash.add(body_after_top_headers(normalised));
    }
    return hash.hex();
}

Intake::Intake(const config::Config& config, store::Store& store, ExtraSteps extra)
    : config_(config),
      complaints_(store),
      options_(feedback_loop::ParseOptions::from_config(config)),
      normalizer_(config.suppression),
      key_of_([this](std::string_view address) {
          auto normalized = normalizer_.normalize(address);
          return normalized.ok() ? normalized.key : std::string();
      }),
      sent_mail_(store),
      resolver_(config.feedback, extra.reference_header || extra.send_log
                                     ? std::move(extra)
                                     : feedback_loop::make_reference_steps(sent_mail_)) {}

std::vector<feedback_loop::SentCopy> Intake::StoreSentMail::recipients_of(
    const std::string& message_id) {
    std::vector<feedback_loop::SentCopy> copies;
    for (const store::SendRecord& send : store_.find_sends(message_id)) {
        copies.push_back({send.recipient, send.recipient_key});
    }
    return copies;
}

IntakeResult Intake::take(std::string_view raw_message) {
    return take(feedback_loop::parse_report(raw_message, options_), raw_message);
}

Intake::Evaluation Intake::evaluate(const FeedbackReport& report,
                                    std::string_view raw_message) const {
    // Examined once: the resolver's reference step and the trust decision
    // both read it.
    ReferenceEvidence reference =
        feedback_loop::examine_reference(report, config_.feedback, sent_mail_, key_of_);
    Resolution resolution = resolver_.resolve(report, &reference);
    TrustDecision trust = feedback_loop::decide_trust(report, resolution, reference, raw_message,
                                                      config_.feedback, key_of_);
    if (trust.retry_later) {
        throw TemporaryTrustFailure(trust.reason);
    }
    auto now = std::chrono::system_clock::now();
    Evaluation evaluation;
    evaluation.complaint =
        make_complaint(report, resolution, trust, dedup_key(report, raw_message), now);
    store::Complaint& complaint = evaluation.complaint;
    if (reference.check.status == ReferenceCheck::Status::valid &&
        !reference.check.claims.mailing_id.empty()) {
        complaint.mailing_id = reference.check.claims.mailing_id;  // signed by us: authoritative
    }
    if (complaint.trusted && complaint.suppresses) {
        evaluation.jobs = make_jobs(complaint, report.report.date.value_or(now), now);
    } else if (!complaint.trusted) {
        complaint.raw_report = raw_copy(raw_message, config_.feedback.untrusted_raw_limit);
    }
    evaluation.expires = expiry(now);
    return evaluation;
}

suppression::Scope Intake::complaint_scope() const {
    return config_.suppression.complaint_scope == config::SuppressionScope::all
               ? suppression::Scope::all
               : suppression::Scope::marketing;
}

std::optional<suppression::TimePoint> Intake::expiry(suppression::TimePoint now) const {
    if (!config_.suppression.default_expiry) {
        return std::nullopt;
    }
    return now + *config_.suppression.default_expiry;
}

IntakeResult Intake::take(const FeedbackReport& report, std::string_view raw_message) {
    IntakeResult result;
    result.kind = report.kind;
    if (report.kind == ReportKind::not_a_report) {
        result.reason = report.errors.empty() ? "not a report" : report.errors.front();
        return result;
    }
    Evaluation evaluation = evaluate(report, raw_message);
    store::RecordResult recorded = complaints_.record_complaint(
        evaluation.complaint, complaint_scope(), evaluation.expires, evaluation.jobs);
    return result_of(evaluation.complaint, recorded, result);
}

IntakeResult Intake::reevaluate(std::int64_t complaint_id, std::string_view raw_message) {
    FeedbackReport report = feedback_loop::parse_report(raw_message, options_);
    IntakeResult result;
    result.kind = report.kind;
    result.complaint_id = complaint_id;
    if (report.kind == ReportKind::not_a_report) {
        result.reason = report.errors.empty() ? "not a report" : report.errors.front();
        return result;
    }
    Evaluation evaluation = evaluate(report, raw_message);
    if (!evaluation.complaint.trusted) {
        result.stored = true;
        result.reason = evaluation.complaint.trust_reason;
        return result;
    }
    store::RecordResult recorded = complaints_.promote_complaint(
        complaint_id, evaluation.complaint, complaint_scope(), evaluation.expires, evaluation.jobs);
    return result_of(evaluation.complaint, recorded, result);
}

IntakeResult& Intake::result_of(const store::Complaint& complaint,
                                const store::RecordResult& recorded, IntakeResult& result) {
    result.stored = true;
    result.duplicate = recorded.duplicate;
    result.trusted = complaint.trusted;
    result.complaint_id = recorded.complaint_id;
    result.recipients = static_cast<int>(complaint.recipients.size());
    result.suppressed = recorded.suppressed;
    result.jobs = recorded.jobs;
    result.reason = complaint.trust_reason;
    result.dedup_key = complaint.dedup_key;
    result.provider = complaint.provider;
    result.resolved = !complaint.unresolved;
    for (const store::ComplaintRecipient& recipient : complaint.recipients) {
        result.recipient_keys.push_back(recipient.key);
    }
    return result;
}

store::Complaint Intake::make_complaint(const FeedbackReport& report, const Resolution& resolution,
                                        const TrustDecision& trust, std::string key,
                                        suppression::TimePoint now) const {
    store::Complaint complaint;
    complaint.dedup_key = std::move(key);
    complaint.received_at = now;
    complaint.kind = kind_of(report.kind);
    complaint.feedback_type = report.feedback_type;
    complaint.provider = report.report.reporter_domain;
    complaint.user_agent = report.user_agent;
    complaint.arrival_date = report.arrival_date;
    complaint.source_ip = report.source_ip;
    complaint.original_message_id = report.original.message_id;
    complaint.original_mail_from = report.original_mail_from;
    complaint.original_subject = report.original.subject;
    complaint.mailing_id = report.original.mailing_id;
    complaint.trusted = trust.trusted;
    complaint.suppresses = suppresses(report.kind);
    complaint.trust_reason = trust.reason;
    complaint.redacted = resolution.redacted;
    Resolution kept = resolution;
    kept.recipients.clear();
    for (const ResolvedRecipient& recipient : resolution.recipients) {
        // A trusted report suppresses only whom its proof covers; the rest
        // stay on record in the report, for review.
        if (trust.trusted && std::find(trust.covered.begin(), trust.covered.end(),
                                       recipient.address) == trust.covered.end()) {
            kept.notes.push_back(
                recipient.evidence +
                " not covered by the trust proof, not suppressed: " + recipient.address);
            continue;
        }
        suppression::NormalizedAddress normalized = normalizer_.normalize(recipient.address);
        if (!normalized.ok()) {
            kept.notes.push_back(recipient.evidence + " skipped (" + normalized.error +
                                 "): " + recipient.address);
            continue;
        }
        complaint.recipients.push_back({normalized.key, recipient.address, recipient.evidence});
        kept.recipients.push_back(recipient);
    }
    complaint.unresolved = complaint.recipients.empty();
    complaint.report_json =
        to_json(report, kept).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    bound_for_storage(complaint);
    return complaint;
}

// Mailgun's own complaints list stops all mail to the complainer; our
// suppression stops marketing only. With lift_blanket_stops the Mailgun stop
// is deleted once ours is committed, so their personal mail flows again. A
// complaint whose scope is "all" gains nothing from the lift and keeps it.
bool Intake::lifts_mailgun_stop(const store::Complaint& complaint) const {
    bool from_mailgun = complaint.channel == store::Channel::mailgun ||
                        text::iequals(complaint.provider, "mailgun.com") ||
                        text::iequals(complaint.provider, "mailgun.org");
    return config_.webhooks.mailgun.lift_blanket_stops && from_mailgun &&
           complaint.kind == store::ComplaintKind::complaint &&
           complaint_scope() == suppression::Scope::marketing;
}

std::vector<store::OutboxJob> Intake::make_jobs(const store::Complaint& complaint,
                                                suppression::TimePoint reported,
                                                suppression::TimePoint now) const {
    std::vector<store::OutboxJob> jobs;
    crm::JobPayload payload;
    payload.reason =
        complaint.kind == store::ComplaintKind::unsubscribe ? "unsubscribe" : "complaint";
    payload.feedback_type = complaint.feedback_type;
    payload.reported_at = iso8601(reported);
    payload.mailing_id = complaint.mailing_id;
    payload.complaint_id = complaint.dedup_key;
    auto add_jobs = [&](const std::string& adapter) {
        for (const store::ComplaintRecipient& recipient : complaint.recipients) {
            store::OutboxJob job;
            job.adapter = adapter;
            job.idempotency_key =
                PartsHash().add(complaint.dedup_key).add(recipient.key).add(adapter).hex();
            payload.email = recipient.address;
            job.payload_json = payload.to_json();
            job.created_at = now;
            job.next_attempt_at = now;
            jobs.push_back(std::move(job));
        }
    };
    for (const config::CrmAdapter& adapter : config_.crm.adapters) {
        add_jobs(adapter.name);
    }
    if (lifts_mailgun_stop(complaint)) {
        add_jobs(std::string(crm::kMailgunLiftAdapter));
    }
    return jobs;
}

}  // namespace fbl::intake
