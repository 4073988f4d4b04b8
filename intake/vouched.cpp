#include <stdexcept>

#include "common/text.h"
#include "feedback_loop/reference.h"
#include "intake/intake.h"
#include "intake/parts_hash.h"
#include "intake/stored_size.h"

// Events that carry their own proof (intake/event.h) take the report path's
// last steps: the same complaint record, plan and transaction.
namespace fbl::intake {
namespace {

constexpr std::string_view kEventDedupVersion = "fbl-event-v1";

ReportKind report_kind_of(store::ComplaintKind kind) {
    switch (kind) {
        case store::ComplaintKind::complaint:
            return ReportKind::complaint;
        case store::ComplaintKind::unsubscribe:
            return ReportKind::unsubscribe;
        default:
            break;
    }
    throw std::invalid_argument("a vouched event is a complaint or an unsubscribe");
}

// The same event twice is one event: by the channel's own id when it has
// one, else by who, which mailing and what.
std::string event_dedup_key(const VouchedEvent& event, const std::string& key) {
    PartsHash hash;
    hash.add(kEventDedupVersion).add(store::to_string(event.channel));
    if (!event.event_id.empty()) {
        return hash.add("id").add(event.event_id).hex();
    }
    return hash.add("who").add(store::to_string(event.kind)).add(key).add(event.mailing_id).hex();
}

std::string event_json(const VouchedEvent& event) {
    nlohmann::json record = {{"channel", store::to_string(event.channel)},
                             {"proof", event.proof},
                             {"recipient", event.recipient},
                             {"event_id", event.event_id},
                             {"detail", event.detail}};
    return record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

// The mailing this person's complaint is about. The reference counts only
// when it names this very person (or a send that reached them): a token
// lifted from someone else's mail attributes nothing.
std::string Intake::mailing_of(const VouchedEvent& event, const std::string& key) const {
    if (!event.reference_header.empty()) {
        auto check = feedback_loop::verify_reference(event.reference_header,
                                                     config_.feedback.reference_header.keys);
        feedback_loop::apply_replay_window(check, config_.feedback.reference_header.max_age,
                                           std::chrono::system_clock::now());
        if (check.status == feedback_loop::ReferenceCheck::Status::valid &&
            check.claims.recipient == key) {
            return check.claims.mailing_id;
        }
    }
    if (auto message_id = text::strip_brackets(event.original_message_id); !message_id.empty()) {
        for (const store::SendRecord& send : sent_mail_.store().find_sends(message_id)) {
            if (send.recipient_key == key && !send.mailing_id.empty()) {
                return send.mailing_id;
            }
        }
    }
    return event.mailing_id;
}

Intake::PreparedEvent Intake::prepare(const VouchedEvent& event) const {
    PreparedEvent prepared;
    prepared.result.kind = report_kind_of(event.kind);
    suppression::NormalizedAddress normalized = normalizer_.normalize(event.recipient);
    if (!normalized.ok()) {
        prepared.result.reason = "recipient does not normalise (" + normalized.error + ")";
        return prepared;
    }
    auto now = std::chrono::system_clock::now();
    store::Complaint complaint;
    complaint.dedup_key = event_dedup_key(event, normalized.key);
    complaint.received_at = now;
    complaint.channel = event.channel;
    complaint.kind = event.kind;
    complaint.feedback_type = event.feedback_type;
    complaint.provider = event.provider;
    complaint.arrival_date = event.occurred_at;
    complaint.original_message_id = event.original_message_id;
    complaint.mailing_id = mailing_of(event, normalized.key);
    complaint.trusted = true;
    complaint.suppresses = true;
    complaint.trust_reason = event.proof;
    complaint.recipients.push_back(
        {normalized.key, event.recipient, store::to_string(event.channel)});
    complaint.report_json = event_json(event);
    bound_for_storage(complaint);
    store::ComplaintRecord record;
    record.jobs = make_jobs(complaint, event.occurred_at.value_or(now), now);
    // An unsubscribe is about marketing by its nature; a complaint stops
    // what complaint_scope says, as a report's would.
    record.scope = event.kind == store::ComplaintKind::unsubscribe ? suppression::Scope::marketing
                                                                   : complaint_scope();
    record.expires_at = expiry(now);
    record.complaint = std::move(complaint);
    prepared.record = std::move(record);
    return prepared;
}

IntakeResult Intake::take(const VouchedEvent& event) {
    return std::move(take_all({event}).front());
}

std::vector<IntakeResult> Intake::take_all(const std::vector<VouchedEvent>& events) {
    std::vector<PreparedEvent> prepared;
    prepared.reserve(events.size());
    std::vector<store::ComplaintRecord> batch;
    for (const VouchedEvent& event : events) {
        prepared.push_back(prepare(event));
        if (prepared.back().record) {
            batch.push_back(*prepared.back().record);
        }
    }
    std::vector<store::RecordResult> recorded;
    if (!batch.empty()) {
        recorded = complaints_.record_complaints(batch);
    }
    std::vector<IntakeResult> results;
    results.reserve(prepared.size());
    auto next_recorded = recorded.begin();
    for (PreparedEvent& item : prepared) {
        if (item.record) {
            result_of(item.record->complaint, *next_recorded++, item.result);
        }
        results.push_back(std::move(item.result));
    }
    return results;
}

}  // namespace fbl::intake
