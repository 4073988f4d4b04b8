#include "milter/session.h"

#include <algorithm>
#include <chrono>
#include <random>

#include <fmt/format.h>

#include "common/log.h"
#include "common/metrics.h"
#include "common/text.h"
#include "feedback_loop/reference.h"
#include "milter/failpoint.h"
#include "store/store.h"

namespace fbl::milter {
namespace {

constexpr const char* kResultHeader = "X-FBL-Result";
constexpr const char* kListUnsubscribe = "List-Unsubscribe";
constexpr const char* kListUnsubscribePost = "List-Unsubscribe-Post";
constexpr const char* kOneClick = "List-Unsubscribe=One-Click";

using text::strip_brackets;

std::vector<std::string> normalised_feedback_keys(
    const config::Config& config, const suppression::AddressNormalizer& normalizer) {
    std::vector<std::string> keys;
    for (const auto& address : config.feedback.addresses) {
        auto normalised = normalizer.normalize(address);
        if (normalised.ok()) {
            keys.push_back(normalised.key);
        }
    }
    return keys;
}

// For marketing mail that arrives without one: the send log and the
// reference header need a Message-ID to point at.
std::string generated_message_id(const std::string& sender) {
    // Only a sender without '@' falls back: "user@" keeps its empty domain.
    std::string domain = sender.find('@') == std::string::npos ? std::string("fblmilter.invalid")
                                                               : text::domain_of(sender);
    std::random_device random;
    return fmt::format("fbl.{:08x}{:08x}@{}", random(), random(), domain);
}

// Config validation admits key ids the token format refuses (a '.', say):
// then mail goes out without the header, and the log says why.
std::unique_ptr<const feedback_loop::ReferenceSigner> make_signer(
    const config::ReferenceHeader& header) {
    const auto* key = feedback_loop::active_reference_key(header);
    if (key == nullptr) {
        return nullptr;
    }
    try {
        return std::make_unique<const feedback_loop::ReferenceSigner>(*key);
    } catch (const std::exception& error) {
        log::error("reference header off: {}", error.what());
        return nullptr;
    }
}

std::unique_ptr<const feedback_loop::UnsubscribeSigner> make_unsubscriber(
    const config::Config& config) {
    if (!config.unsubscribe.enabled ||
        config.unsubscribe.add_headers == config::UnsubscribeHeaders::never) {
        return nullptr;
    }
    const auto* key = feedback_loop::active_reference_key(config.feedback.reference_header);
    if (key == nullptr) {
        return nullptr;
    }
    try {
        return std::make_unique<const feedback_loop::UnsubscribeSigner>(*key);
    } catch (const std::exception& error) {
        log::error("unsubscribe headers off: {}", error.what());
        return nullptr;
    }
}

// The sender's own mailto: entries of an RFC 2369 list ("<url>, <url>"): a
// mail client that cannot POST still has a way out. Their http URLs go: one
// button must do one thing, and ours is the one we can honour. The sender
// wrote the header: one pass over it, and a few entries at most.
constexpr int kMaxKeptMailto = 4;

std::string mailto_entries(std::string_view value) {
    std::string kept;
    int count = 0;
    for (auto open = value.find('<'); open != std::string_view::npos && count < kMaxKeptMailto;
         open = value.find('<', open + 1)) {
        auto close = value.find('>', open);
        if (close == std::string_view::npos) {
            break;
        }
        auto url = value.substr(open + 1, close - open - 1);
        if (auto nested = url.rfind('<'); nested != std::string_view::npos) {
            url.remove_prefix(nested + 1);  // "<<<x>": the entry is the innermost
        }
        if (url.size() > 7 && text::iequals(url.substr(0, 7), "mailto:")) {
            kept += ", <" + std::string(url) + ">";
            ++count;
        }
        open = close;
    }
    return kept;
}

std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace

Runtime::Runtime(std::shared_ptr<const config::Config> config_in, RecipientLookup* lookup_in,
                 ReportIntake* intake_in, SendLog* send_log_in)
    : config(std::move(config_in)),
      normalizer(config->suppression),
      feedback_keys(normalised_feedback_keys(*config, normalizer)),
      lookup(lookup_in),
      intake(intake_in),
      send_log(config->send_log.enabled ? send_log_in : nullptr),
      signer(make_signer(config->feedback.reference_header)),
      unsubscriber(make_unsubscriber(*config)) {}

Session::Session(const RuntimeSource& source)
    : current_runtime_([&source] { return source.current(); }), runtime_(current_runtime_()) {}

Session::Session(std::shared_ptr<const Runtime> runtime)
    : current_runtime_([runtime] { return runtime; }), runtime_(std::move(runtime)) {}

void Session::note_queue_id(const MacroSource& macros) {
    if (auto queue_id = macros.macro("i"); queue_id && !queue_id->empty()) {
        message_.queue_id = *queue_id;
    }
}

Verdict Session::connect(const Client& client, const MacroSource& macros) {
    connection_.client_address = client.address;
    connection_.local_submission = is_postfix_local_submission(client);
    connection_.daemon_name = macros.macro("{daemon_name}").value_or("");
    return Verdict::proceed();
}

// A reload applies from the next message, also on a connection that stays
// open for hours; the message in flight keeps the config it started with.
Verdict Session::mail_from(const std::string& sender, const MacroSource& macros) {
    runtime_ = current_runtime_();
    message_ = Message{};
    note_queue_id(macros);
    message_.envelope.sender = strip_brackets(sender);
    message_.envelope.auth_user = macros.macro("{auth_authen}").value_or("");
    message_.direction = decide_direction(config().outbound, connection_, message_.envelope);
    message_.marketing_by_envelope =
        is_marketing_by_envelope(config().outbound.marketing, message_.envelope);
    return Verdict::proceed();
}

bool Session::is_feedback_address(const std::string& key) const {
    const auto& keys = runtime_->feedback_keys;
    return std::find(keys.begin(), keys.end(), key) != keys.end();
}

Verdict Session::rcpt(const std::string& recipient, const MacroSource& macros) {
    failpoint_throw("foreign-exception-at-rcpt");
    note_queue_id(macros);
    // Postfix's cleanup (non_smtpd_milters) never sends {rcpt_mailer}; smtpd
    // and Sendmail always do. Such mail is outgoing whatever networks says;
    // the connect it emulates usually told us already.
    bool non_smtpd = !macros.macro("{rcpt_mailer}").has_value();
    if (non_smtpd && message_.direction == Direction::inbound) {
        message_.direction = Direction::outbound;
    }
    auto key = runtime_->normalizer.normalize(recipient);
    // A report is a report whatever the client: trust decides what it does.
    if (key.ok() && is_feedback_address(key.key)) {
        message_.report_candidate = true;
        Recipient feedback{recipient, key.key};
        feedback.feedback = true;
        message_.recipients.push_back(std::move(feedback));
        return Verdict::proceed();
    }
    if (message_.direction == Direction::inbound) {
        message_.recipients.push_back({recipient, key.ok() ? key.key : std::string()});
        return Verdict::proceed();
    }
    // Never skipped: what does not normalise is looked up as written.
    return outbound_rcpt(recipient, runtime_->normalizer.lookup_key(recipient), non_smtpd);
}

Verdict Session::outbound_rcpt(const std::string& recipient, const std::string& key,
                               bool non_smtpd) {
    std::optional<store::Suppression> entry;
    if (!key.empty()) {
        try {
            entry = runtime_->lookup->lookup(key);
        } catch (const store::StoreUnavailable& error) {
            log::warning("{}: store unavailable at RCPT for {}: {}", message_.queue_id,
                         log::address(key), error.what());
            auto verdict = verdict_for_failure(config().on_error.store_unavailable,
                                               kTempfailStoreReply, Stage::rcpt);
            if (verdict.action == Verdict::Action::proceed) {
                message_.recipients.push_back({recipient, key});  // failing open: delivered
            }
            return verdict;
        }
    }
    RcptFacts facts;
    facts.suppressed = entry.has_value();
    facts.entry_scope = entry ? entry->scope : suppression::Scope::marketing;
    facts.marketing_by_envelope = message_.marketing_by_envelope;
    facts.non_smtpd = non_smtpd;  // without {rcpt_mailer} the safe path is removal at EOM
    auto action = decide_rcpt(config().outbound, facts);
    if (action == RcptAction::reject_now) {
        metrics::global().recipient_blocked(metrics::BlockStage::rcpt);
        log::notice("{}: reject RCPT {}: suppressed (scope {})", message_.queue_id,
                    log::address(key), store::to_string(entry->scope));
        return Verdict::reject(
            suppressed_reply(config().outbound.reply, strip_brackets(recipient)));
    }
    Recipient accepted{recipient, key};
    accepted.remove_always = action == RcptAction::remove_at_eom;
    accepted.remove_if_marketing = action == RcptAction::decide_at_eom;
    message_.any_removal = message_.any_removal || action != RcptAction::deliver;
    message_.recipients.push_back(std::move(accepted));
    return Verdict::proceed();
}

bool Session::is_feedback_content_type(const std::string& value) const {
    std::string lower = text::ascii_lower(value);
    return lower.find("multipart/report") != std::string::npos &&
           lower.find("feedback-report") != std::string::npos;
}

void Session::append_raw(std::string_view text) {
    if (message_.report_too_large) {
        return;
    }
    if (message_.raw.size() + text.size() > config().milter.report_size_limit) {
        message_.report_too_large = true;
        message_.raw.clear();
        message_.raw.shrink_to_fit();
        return;
    }
    message_.raw.append(text);
}

void Session::count_forged_header(const std::string& name) {
    if (text::iequals(name, kResultHeader)) {
        ++message_.forged_results;
    } else if (message_.direction == Direction::outbound &&
               text::iequals(name, config().feedback.reference_header.name)) {
        ++message_.forged_references;
    }
}

// Our headers that came with the message were written by its sender: a
// reader must never take them for ours.
void Session::plan_forged_header_removals(MessagePlan& plan) const {
    auto remove = [&](const std::string& name, int count) {
        for (int index = count; index >= 1; --index) {
            plan.header_removals.push_back({name, index});
        }
    };
    remove(kResultHeader, message_.forged_results);
    remove(config().feedback.reference_header.name, message_.forged_references);
}

Verdict Session::header(const std::string& name, const std::string& value) {
    count_forged_header(name);
    bool inbound = message_.direction == Direction::inbound;
    // With detect_by_content_type every inbound message is buffered until
    // EOH: the Content-Type that makes it a candidate may come last.
    bool detecting = inbound && config().feedback.detect_by_content_type;
    if (detecting && text::iequals(name, "Content-Type") && is_feedback_content_type(value)) {
        message_.report_candidate = true;
    }
    bool buffering = message_.report_candidate || detecting;
    if (buffering) {
        append_raw(name + ": " + value + "\r\n");
    }
    if (buffering || !inbound) {
        message_.headers.emplace_back(name, value);
    }
    return Verdict::proceed();
}

Verdict Session::refuse_oversized_report() const {
    log::warning("{}: report refused with 552: larger than milter.report_size_limit ({} bytes)",
                 message_.queue_id, config().milter.report_size_limit);
    return Verdict::reject(kReportTooLargeReply);
}

Verdict Session::end_of_headers(const MacroSource& macros) {
    note_queue_id(macros);
    bool outbound = message_.direction == Direction::outbound;
    if (outbound) {
        message_.marketing = message_.marketing_by_envelope ||
                             is_marketing_by_headers(config().outbound.marketing, message_.headers);
    }
    if (message_.report_candidate) {
        append_raw("\r\n");
        return message_.report_too_large ? refuse_oversized_report() : Verdict::proceed();
    }
    bool forged = message_.forged_results > 0 || message_.forged_references > 0;
    bool work_at_eom =
        forged || (outbound && (message_.any_removal || adds_unsubscribe_headers() ||
                                (message_.marketing && runtime_->attributes_marketing())));
    // Nothing to do at end of message: let the MTA stop asking.
    return work_at_eom ? Verdict::skip_body() : Verdict::accept();
}

Verdict Session::body(std::string_view chunk) {
    if (!message_.report_candidate) {
        return Verdict::skip_body();
    }
    append_raw(chunk);
    return message_.report_too_large ? refuse_oversized_report() : Verdict::proceed();
}

MessagePlan Session::end_of_message(const MacroSource& macros) {
    note_queue_id(macros);
    MessagePlan plan;
    plan.queue_id = message_.queue_id;
    plan.on_edit_failure = failure_verdict(Stage::end_of_message);
    plan_forged_header_removals(plan);
    plan.verdict = message_.report_candidate ? report_end(plan) : Verdict::accept();
    if (message_.direction == Direction::outbound &&
        plan.verdict.action == Verdict::Action::accept) {
        plan.verdict = outbound_end(plan);
    }
    message_ = Message{};
    return plan;
}

Verdict Session::outbound_end(MessagePlan& plan) {
    std::vector<const Recipient*> kept;
    std::string first_removed;
    bool report_stays = false;
    for (const auto& recipient : message_.recipients) {
        if (recipient.feedback) {
            report_stays = report_stays || !message_.report_recipients_removed;
            continue;
        }
        bool remove =
            recipient.remove_always || (recipient.remove_if_marketing && message_.marketing);
        if (!remove) {
            kept.push_back(&recipient);
            continue;
        }
        auto shown = strip_brackets(recipient.as_given);
        plan.recipient_removals.push_back({recipient.as_given,
                                           recipient.key.empty() ? shown : recipient.key,
                                           RecipientRemoval::Why::suppressed});
        if (first_removed.empty()) {
            first_removed = shown;
        }
    }
    if (!first_removed.empty() && kept.empty() && !report_stays) {
        log::notice("{}: reject message: every recipient is suppressed", message_.queue_id);
        return Verdict::reject(suppressed_reply(config().outbound.reply, first_removed));
    }
    if (message_.marketing) {
        auto mailing = find_mailing_id();
        attribute(kept, mailing, plan);
        plan_unsubscribe_headers(kept, mailing, plan);
    }
    return Verdict::accept();
}

bool Session::has_header(const std::string& name) const {
    return std::any_of(message_.headers.begin(), message_.headers.end(),
                       [&](const auto& header) { return text::iequals(header.first, name); });
}

std::string Session::header_value(const std::string& name) const {
    for (const auto& [header, value] : message_.headers) {
        if (text::iequals(header, name)) {
            return value;
        }
    }
    return {};
}

std::string Session::find_mailing_id() const {
    for (const auto& name : config().outbound.mailing_id_headers) {
        if (auto value = header_value(name); !value.empty()) {
            return value;
        }
    }
    return {};
}

// Makes a report about this message attributable (issue 7): a signed
// reference header, and a send-log record per recipient.
void Session::attribute(const std::vector<const Recipient*>& kept, const std::string& mailing_id,
                        MessagePlan& plan) const {
    auto message_id = strip_brackets(header_value("Message-ID"));
    if (message_id.empty()) {
        message_id = generated_message_id(message_.envelope.sender);
        plan.header_additions.push_back({"Message-ID", "<" + message_id + ">"});
    }
    if (runtime_->signer != nullptr) {
        feedback_loop::ReferenceClaims claims;
        if (kept.size() == 1) {
            claims.recipient = kept.front()->key;
        } else {
            claims.send_ref = message_id;
        }
        claims.mailing_id = mailing_id.substr(0, feedback_loop::kMaxReferenceMailingId);
        claims.timestamp = unix_now();
        try {
            plan.header_additions.push_back(
                {config().feedback.reference_header.name, runtime_->signer->sign(claims)});
        } catch (const std::invalid_argument& error) {
            // Attribution is lost for this message, but the mail goes out.
            log::error("{}: reference header not added: {}", message_.queue_id, error.what());
        }
    }
    if (runtime_->send_log != nullptr) {
        auto now = std::chrono::system_clock::now();
        for (const auto* recipient : kept) {
            if (!recipient->key.empty()) {
                plan.sends.push_back({message_id, recipient->key,
                                      strip_brackets(recipient->as_given), mailing_id, now});
            }
        }
    }
}

// Known at end of headers, so the MTA is asked for end of message only when
// it may be needed. `missing` never touches a sender's own List-Unsubscribe.
bool Session::adds_unsubscribe_headers() const {
    if (!message_.marketing || runtime_->unsubscriber == nullptr) {
        return false;
    }
    return config().unsubscribe.add_headers != config::UnsubscribeHeaders::missing ||
           !has_header(kListUnsubscribe);
}

// RFC 8058 one-click unsubscribe (issue 16). Only for one kept recipient: the
// token names one person, and in a message to several every reader who
// pressed it would unsubscribe that one person instead of themselves.
void Session::plan_unsubscribe_headers(const std::vector<const Recipient*>& kept,
                                       const std::string& mailing_id, MessagePlan& plan) const {
    if (kept.size() != 1 || !adds_unsubscribe_headers()) {
        return;
    }
    feedback_loop::UnsubscribeClaims claims{
        strip_brackets(kept.front()->as_given),
        mailing_id.substr(0, feedback_loop::kMaxUnsubscribeMailingId), unix_now()};
    std::string token;
    try {
        token = runtime_->unsubscriber->sign(claims);
    } catch (const std::invalid_argument& error) {
        log::error("{}: unsubscribe headers not added: {}", message_.queue_id, error.what());
        return;
    }
    auto ours = "<" + config().web.public_url + "/u/" + token + ">";
    set_header(kListUnsubscribe, ours + mailto_entries(header_value(kListUnsubscribe)), plan);
    // A -Post that came with the message now speaks for our URL: one header, ours.
    set_header(kListUnsubscribePost, kOneClick, plan);
}

// Changes the first header called `name`, or adds it. RFC 2369 allows each
// List- header once; a second copy is left as the sender wrote it.
void Session::set_header(const std::string& name, const std::string& value,
                         MessagePlan& plan) const {
    if (!has_header(name)) {
        plan.header_additions.push_back({name, value});
    } else {
        plan.header_changes.push_back({name, 1, value});
    }
}

Verdict Session::report_end(MessagePlan& plan) {
    if (message_.report_too_large) {
        return refuse_oversized_report();
    }
    IntakeOutcome outcome;
    try {
        outcome = runtime_->intake->take_in(message_.raw);
    } catch (const store::StoreUnavailable& error) {
        // Never "accept" a report that is not stored, whatever
        // on_error.store_unavailable says: the provider retries.
        log::warning("{}: report not stored, asking the sender to retry: {}", message_.queue_id,
                     error.what());
        return Verdict::tempfail(kTempfailStoreReply);
    }
    failpoint("after-report-commit");
    if (!outcome.is_report) {
        return non_report_end(outcome.summary, plan);
    }
    log::info("{}: report: {}", message_.queue_id,
              outcome.log_summary.empty() ? outcome.summary : outcome.log_summary);
    switch (config().feedback.disposition) {
        case config::ReportDisposition::discard:
            return discard_report(plan);
        case config::ReportDisposition::tag:
            for (const auto& [name, value] : message_.headers) {
                if (text::iequals(name, "Subject")) {
                    plan.header_changes.push_back({"Subject", 1, "[fblmilter] " + value});
                    break;
                }
            }
            [[fallthrough]];
        case config::ReportDisposition::accept:
            plan.header_additions.push_back({kResultHeader, outcome.summary});
            return Verdict::accept();
    }
    return Verdict::accept();
}

// Never discarded, never acknowledged without a trace: it reaches the
// mailbox saying why it was not taken, or the sender learns it with a 550.
Verdict Session::non_report_end(const std::string& summary, MessagePlan& plan) const {
    if (config().feedback.non_report == config::NonReportHandling::bounce) {
        log::notice("{}: refused with 550, not a feedback report: {}", message_.queue_id, summary);
        return Verdict::reject(kNotAReportReply);
    }
    log::notice("{}: not a feedback report, delivered with {}: {}", message_.queue_id,
                kResultHeader, summary);
    plan.header_additions.push_back({kResultHeader, summary});
    return Verdict::accept();
}

// The report is consumed; other recipients of the same message still get it.
Verdict Session::discard_report(MessagePlan& plan) {
    bool others = std::any_of(message_.recipients.begin(), message_.recipients.end(),
                              [](const Recipient& recipient) { return !recipient.feedback; });
    if (!others) {
        return Verdict::discard();
    }
    for (const auto& recipient : message_.recipients) {
        if (recipient.feedback) {
            plan.recipient_removals.push_back(
                {recipient.as_given, recipient.key, RecipientRemoval::Why::report_consumed});
        }
    }
    message_.report_recipients_removed = true;
    return Verdict::accept();
}

void Session::abort() {
    message_ = Message{};
}

// A report whose fate is open is never accepted or bounced on an error: the
// provider retries. Before end of message the message's state stays: the
// other recipients' decisions still hold.
Verdict Session::failure_verdict(Stage stage) const {
    return message_.report_candidate
               ? Verdict::tempfail(kTempfailInternalReply)
               : verdict_for_failure(config().on_error.internal, kTempfailInternalReply, stage);
}

Verdict Session::internal_error(Stage stage, std::string_view what) {
    log::error("{}: internal error: {}", message_.queue_id, what);
    Verdict verdict = failure_verdict(stage);
    if (stage == Stage::end_of_message) {
        message_ = Message{};
    }
    return verdict;
}

}  // namespace fbl::milter
