#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "feedback_loop/parser.h"
#include "feedback_loop/recipients.h"
#include "feedback_loop/report.h"
#include "feedback_loop/sent_mail.h"
#include "feedback_loop/trust.h"
#include "intake/event.h"
#include "store/records.h"
#include "store/store.h"
#include "suppression/normalize.h"

// Taking in one report: the single path from an event to one commit, which
// `fblctl ingest`, `fblctl complaints reevaluate` and the milter share.
// Parse, examine the reference (once), resolve, decide trust, then ONE store
// transaction holding the complaint, its suppressions and its CRM jobs.
namespace fbl::intake {

using feedback_loop::FeedbackReport;
using feedback_loop::ReportKind;
using feedback_loop::TemporaryTrustFailure;

struct IntakeResult {
    ReportKind kind = ReportKind::not_a_report;
    bool stored = false;     // a complaint row exists for this report (new or earlier)
    bool duplicate = false;  // this report was taken in before: nothing changed
    bool trusted = false;
    std::int64_t complaint_id = 0;
    int recipients = 0;
    int suppressed = 0;
    int jobs = 0;
    std::string reason;  // the trust reason, or why nothing was stored
    std::string dedup_key;
    std::string provider;                     // the reporting domain ("" = unknown)
    bool resolved = false;                    // at least one complained recipient is known
    std::vector<std::string> recipient_keys;  // normalised, as stored (for the log line)
};

// Whether a report of this kind stops mail. not-spam and auth-failure are
// history only.
bool suppresses(ReportKind kind);

// Same report delivered twice (or retried after a tempfail) -> same key:
// SHA-256 over reporter, report Message-ID, original Message-ID, the
// recipients the report states and the feedback type; without a report
// Message-ID the report's body (what follows the top header block, which
// relays change) is hashed in as well.
std::string dedup_key(const FeedbackReport& report, std::string_view raw_message);

class Intake {
  public:
    // `config` and `store` must outlive the Intake.
    Intake(const config::Config& config, store::Store& store, feedback_loop::ExtraSteps extra = {});

    // Throws store::StoreUnavailable / StoreCorrupt when the store
    // cannot commit, and TemporaryTrustFailure when trust cannot be decided
    // now (nothing stored): the caller tempfails and the provider retries.
    IntakeResult take(std::string_view raw_message);
    IntakeResult take(const FeedbackReport& report, std::string_view raw_message);
    // One-click and webhooks (intake/vouched.cpp): the same transaction as a
    // report (complaint, suppression, CRM jobs), trusted by the event's own
    // proof. A recipient that does not normalise stores nothing
    // (result.stored false, result.reason says why).
    IntakeResult take(const VouchedEvent& event);
    // Group commit (fblweb): every event in ONE transaction, one result
    // each, in order. Throws as take() does; then none is stored.
    std::vector<IntakeResult> take_all(const std::vector<VouchedEvent>& events);
    // `fblctl complaints reevaluate`: decides the trust of stored untrusted
    // complaint `complaint_id` again from its raw copy, with today's keys
    // and config; when it is trusted now, promotes it and applies its effects
    // once (Store::promote_complaint). result.trusted says which.
    IntakeResult reevaluate(std::int64_t complaint_id, std::string_view raw_message);

  private:
    struct Evaluation {
        store::Complaint complaint;
        std::vector<store::OutboxJob> jobs;
        std::optional<suppression::TimePoint> expires;
    };
    Evaluation evaluate(const FeedbackReport& report, std::string_view raw_message) const;
    static IntakeResult& result_of(const store::Complaint& complaint,
                                   const store::RecordResult& recorded, IntakeResult& result);
    store::Complaint make_complaint(const FeedbackReport& report,
                                    const feedback_loop::Resolution& resolution,
                                    const feedback_loop::TrustDecision& trust, std::string key,
                                    suppression::TimePoint now) const;
    std::vector<store::OutboxJob> make_jobs(const store::Complaint& complaint,
                                            suppression::TimePoint reported,
                                            suppression::TimePoint now) const;

    bool lifts_mailgun_stop(const store::Complaint& complaint) const;

    std::optional<suppression::TimePoint> expiry(suppression::TimePoint now) const;
    suppression::Scope complaint_scope() const;
    std::string mailing_of(const VouchedEvent& event, const std::string& key) const;
    // An event as the record to commit; no record when it cannot be stored
    // (result.reason says why).
    struct PreparedEvent {
        IntakeResult result;
        std::optional<store::ComplaintRecord> record;
    };
    PreparedEvent prepare(const VouchedEvent& event) const;

    const config::Config& config_;
    store::ComplaintLog& complaints_;  // the only writer of complaints
    // The send log, as feedback_loop's port asks for it.
    class StoreSentMail final : public feedback_loop::SentMail {
      public:
        explicit StoreSentMail(store::SendLogStore& store) : store_(store) {}
        std::vector<feedback_loop::SentCopy> recipients_of(const std::string& message_id) override;
        store::SendLogStore& store() const { return store_; }

      private:
        store::SendLogStore& store_;
    };

    feedback_loop::ParseOptions options_;
    suppression::AddressNormalizer normalizer_;
    feedback_loop::KeyOf key_of_;
    mutable StoreSentMail sent_mail_;  // a query port: no state of its own
    feedback_loop::RecipientResolver resolver_;
};

}  // namespace fbl::intake
