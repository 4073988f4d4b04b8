#include "milter/session.h"

#include <chrono>
#include <random>

#include <fmt/format.h>
#include <strings.h>

#include "common/log.h"
#include "common/metrics.h"
#include "feedback_loop/reference.h"
#include "suppression/store.h"

namespace fbl::milter {
namespace {

constexpr const char* kResultHeader = "X-FBL-Result";

std::string strip_brackets(std::string_view address) {
    while (!address.empty() && (address.front() == ' ' || address.front() == '<')) {
        address.remove_prefix(1);
    }
    while (!address.empty() && (address.back() == ' ' || address.back() == '>')) {
        address.remove_suffix(1);
    }
    return std::string(address);
}

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
    auto at = sender.rfind('@');
    std::string domain = at == std::string::npos ? "fblmilter.invalid" : sender.substr(at + 1);
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

}  // namespace

Runtime::Runtime(std::shared_ptr<const config::Config> config_in, RecipientLookup* lookup_in,
                 ReportIntake* intake_in, SendLog* send_log_in)
    : config(std::move(config_in)),
      normalizer(config->suppression),
      feedback_keys(normalised_feedback_keys(*config, normalizer)),
      lookup(lookup_in),
      intake(intake_in),
      send_log(config->send_log.enabled ? send_log_in : nullptr),
      signer(make_signer(config->feedback.reference_header)) {}

Session::Session(std::shared_ptr<const Runtime> runtime)
    : runtime_(std::move(runtime)), config_(*runtime_->config) {}

void Session::note_queue_id(const MacroSource& macros) {
    if (auto queue_id = macros.macro("i"); queue_id && !queue_id->empty()) {
        message_.queue_id = *queue_id;
    }
}

Verdict Session::connect(const std::string& client_address, const MacroSource& macros) {
    connection_.client_address = client_address;
    connection_.daemon_name = macros.macro("{daemon_name}").value_or("");
    return Verdict::proceed();
}

Verdict Session::mail_from(const std::string& sender, const MacroSource& macros) {
    message_ = Message{};
    note_queue_id(macros);
    message_.envelope.sender = strip_brackets(sender);
    message_.envelope.auth_user = macros.macro("{auth_authen}").value_or("");
    message_.direction = decide_direction(config_.outbound, connection_, message_.envelope);
    message_.marketing_by_envelope =
        is_marketing_by_envelope(config_.outbound.marketing, message_.envelope);
    return Verdict::proceed();
}

Verdict Session::rcpt(const std::string& recipient, const MacroSource& macros) {
    note_queue_id(macros);
    return message_.direction == Direction::outbound ? outbound_rcpt(recipient, macros)
                                                     : inbound_rcpt(recipient);
}

Verdict Session::outbound_rcpt(const std::string& recipient, const MacroSource& macros) {
    // Never skipped: what does not normalise is looked up as written.
    std::string key = runtime_->normalizer.lookup_key(recipient);
    std::optional<suppression::Suppression> entry;
    if (!key.empty()) {
        try {
            entry = runtime_->lookup->lookup(key);
        } catch (const suppression::StoreUnavailable& error) {
            log::warning("{}: store unavailable at RCPT for {}: {}", message_.queue_id,
                         log::address(key), error.what());
            return verdict_for_failure(config_.on_error.store_unavailable, kTempfailStoreReply);
        }
    }
    RcptFacts facts;
    facts.suppressed = entry.has_value();
    facts.entry_scope = entry ? entry->scope : suppression::Scope::marketing;
    facts.marketing_by_envelope = message_.marketing_by_envelope;
    // Postfix's cleanup (non_smtpd_milters) never sends {rcpt_mailer}; smtpd
    // and Sendmail always do. Without it the safe path is removal at EOM.
    facts.non_smtpd = !macros.macro("{rcpt_mailer}").has_value();
    auto action = decide_rcpt(config_.outbound, facts);
    if (action == RcptAction::reject_now) {
        metrics::global().recipient_blocked(metrics::BlockStage::rcpt);
        log::notice("{}: reject RCPT {}: suppressed (scope {})", message_.queue_id,
                    log::address(key), suppression::to_string(entry->scope));
        return Verdict::reject(suppressed_reply(config_.outbound.reply, strip_brackets(recipient)));
    }
    Recipient accepted{recipient, key};
    accepted.remove_always = action == RcptAction::remove_at_eom;
    accepted.remove_if_marketing = action == RcptAction::decide_at_eom;
    message_.any_removal = message_.any_removal || action != RcptAction::deliver;
    message_.recipients.push_back(std::move(accepted));
    return Verdict::proceed();
}

Verdict Session::inbound_rcpt(const std::string& recipient) {
    auto key = runtime_->normalizer.normalize(recipient);
    if (key.ok()) {
        for (const auto& feedback_key : runtime_->feedback_keys) {
            if (feedback_key == key.key) {
                message_.report_candidate = true;
            }
        }
    }
    return Verdict::proceed();
}

bool Session::is_feedback_content_type(const std::string& value) const {
    std::string lower(value);
    for (auto& c : lower)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return lower.find("multipart/report") != std::string::npos &&
           lower.find("feedback-report") != std::string::npos;
}

void Session::append_raw(std::string_view text) {
    if (message_.report_too_large) {
        return;
    }
    if (message_.raw.size() + text.size() > config_.milter.report_size_limit) {
        message_.report_too_large = true;
        message_.raw.clear();
        message_.raw.shrink_to_fit();
        return;
    }
    message_.raw.append(text);
}

Verdict Session::header(const std::string& name, const std::string& value) {
    if (message_.direction == Direction::outbound) {
        message_.headers.emplace_back(name, value);
        return Verdict::proceed();
    }
    // With detect_by_content_type every inbound message is buffered until
    // EOH: the Content-Type that makes it a candidate may come last.
    if (!message_.report_candidate && !config_.feedback.detect_by_content_type) {
        return Verdict::proceed();
    }
    if (strcasecmp(name.c_str(), "Content-Type") == 0 && is_feedback_content_type(value)) {
        message_.report_candidate = true;
    }
    append_raw(name + ": " + value + "\r\n");
    message_.headers.emplace_back(name, value);
    return Verdict::proceed();
}

Verdict Session::end_of_headers(const MacroSource& macros) {
    note_queue_id(macros);
    if (message_.direction == Direction::outbound) {
        message_.marketing = message_.marketing_by_envelope ||
                             is_marketing_by_headers(config_.outbound.marketing, message_.headers);
        // Nothing to do at end of message: let the MTA stop asking.
        if (!message_.any_removal && !(message_.marketing && runtime_->attributes_marketing())) {
            return Verdict::accept();
        }
        return Verdict::skip_body();
    }
    if (!message_.report_candidate) {
        return Verdict::accept();
    }
    append_raw("\r\n");
    return Verdict::proceed();
}

Verdict Session::body(std::string_view chunk) {
    if (!message_.report_candidate) {
        return Verdict::skip_body();
    }
    append_raw(chunk);
    return Verdict::proceed();
}

Verdict Session::end_of_message(const MacroSource& macros, MessageEditor& editor) {
    note_queue_id(macros);
    Verdict verdict = message_.direction == Direction::outbound ? outbound_end(editor)
                      : message_.report_candidate               ? report_end(editor)
                                                                : Verdict::accept();
    message_ = Message{};
    return verdict;
}

Verdict Session::outbound_end(MessageEditor& editor) {
    std::vector<const Recipient*> kept;
    std::string first_removed;
    for (const auto& recipient : message_.recipients) {
        bool remove =
            recipient.remove_always || (recipient.remove_if_marketing && message_.marketing);
        if (!remove) {
            kept.push_back(&recipient);
            continue;
        }
        auto shown = strip_brackets(recipient.as_given);
        if (!editor.delete_recipient(recipient.as_given)) {
            throw std::runtime_error("smfi_delrcpt failed for a suppressed recipient");
        }
        metrics::global().recipient_blocked(metrics::BlockStage::eom);
        log::notice("{}: removed recipient {}: suppressed", message_.queue_id,
                    log::address(recipient.key.empty() ? shown : recipient.key));
        if (first_removed.empty()) {
            first_removed = shown;
        }
    }
    if (!first_removed.empty() && kept.empty()) {
        log::notice("{}: reject message: every recipient is suppressed", message_.queue_id);
        return Verdict::reject(suppressed_reply(config_.outbound.reply, first_removed));
    }
    if (message_.marketing) {
        attribute(kept, editor);
    }
    return Verdict::accept();
}

std::string Session::header_value(const std::string& name) const {
    for (const auto& [header, value] : message_.headers) {
        if (strcasecmp(header.c_str(), name.c_str()) == 0) {
            return value;
        }
    }
    return {};
}

// Makes a report about this message attributable (issue 7): a signed
// reference header, and a send-log record per recipient.
void Session::attribute(const std::vector<const Recipient*>& kept, MessageEditor& editor) {
    std::string mailing_id;
    for (const auto& name : config_.outbound.mailing_id_headers) {
        if (mailing_id = header_value(name); !mailing_id.empty()) {
            break;
        }
    }
    auto message_id = strip_brackets(header_value("Message-ID"));
    if (message_id.empty()) {
        message_id = generated_message_id(message_.envelope.sender);
        editor.add_header("Message-ID", "<" + message_id + ">");
    }
    if (runtime_->signer != nullptr) {
        feedback_loop::ReferenceClaims claims;
        if (kept.size() == 1) {
            claims.recipient = kept.front()->key;
        } else {
            claims.send_ref = message_id;
        }
        claims.mailing_id = mailing_id.substr(0, feedback_loop::kMaxReferenceMailingId);
        claims.timestamp = std::chrono::duration_cast<std::chrono::seconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
        try {
            editor.add_header(config_.feedback.reference_header.name,
                              runtime_->signer->sign(claims));
        } catch (const std::invalid_argument& error) {
            // Attribution is lost for this message, but the mail goes out.
            log::error("{}: reference header not added: {}", message_.queue_id, error.what());
        }
    }
    if (runtime_->send_log != nullptr) {
        std::vector<suppression::SendRecord> records;
        auto now = std::chrono::system_clock::now();
        for (const auto* recipient : kept) {
            if (!recipient->key.empty()) {
                records.push_back({message_id, recipient->key, strip_brackets(recipient->as_given),
                                   mailing_id, now});
            }
        }
        runtime_->send_log->record(std::move(records));
    }
}

Verdict Session::report_end(MessageEditor& editor) {
    if (message_.report_too_large) {
        log::warning("{}: report candidate over report_size_limit ({} bytes), not processed",
                     message_.queue_id, config_.milter.report_size_limit);
        editor.add_header(kResultHeader, "not processed: larger than report_size_limit");
        return Verdict::accept();
    }
    IntakeOutcome outcome;
    try {
        outcome = runtime_->intake->take_in(message_.raw);
    } catch (const suppression::StoreUnavailable& error) {
        log::warning("{}: report not stored, asking the sender to retry: {}", message_.queue_id,
                     error.what());
        return verdict_for_failure(config_.on_error.store_unavailable, kTempfailStoreReply);
    }
    log::info("{}: report: {}", message_.queue_id, outcome.summary);
    switch (config_.feedback.disposition) {
        case config::ReportDisposition::discard:
            return Verdict::discard();
        case config::ReportDisposition::tag:
            for (const auto& [name, value] : message_.headers) {
                if (strcasecmp(name.c_str(), "Subject") == 0) {
                    editor.change_header("Subject", 1, "[fblmilter] " + value);
                    break;
                }
            }
            [[fallthrough]];
        case config::ReportDisposition::accept:
            editor.add_header(kResultHeader, outcome.summary);
            return Verdict::accept();
    }
    return Verdict::accept();
}

void Session::abort() {
    message_ = Message{};
}

Verdict Session::internal_error(const std::exception& error) {
    log::error("{}: internal error: {}", message_.queue_id, error.what());
    message_ = Message{};
    return verdict_for_failure(config_.on_error.internal, kTempfailInternalReply);
}

}  // namespace fbl::milter
