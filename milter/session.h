#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "feedback_loop/reference.h"
#include "feedback_loop/unsubscribe_token.h"
#include "milter/message_plan.h"
#include "milter/policy.h"
#include "milter/ports.h"
#include "milter/verdict.h"
#include "suppression/normalize.h"

namespace fbl::milter {

// Everything a connection needs, fixed for its lifetime: a reload builds a
// new Runtime, and connections in flight keep the one they started with.
struct Runtime {
    std::shared_ptr<const config::Config> config;
    suppression::AddressNormalizer normalizer;
    std::vector<std::string> feedback_keys;  // normalised feedback addresses
    RecipientLookup* lookup = nullptr;
    ReportIntake* intake = nullptr;
    SendLog* send_log = nullptr;                                   // null: send log off
    std::unique_ptr<const feedback_loop::ReferenceSigner> signer;  // null: no reference header
    // null: no List-Unsubscribe headers (off, add_headers never, or no key)
    std::unique_ptr<const feedback_loop::UnsubscribeSigner> unsubscriber;

    Runtime(std::shared_ptr<const config::Config> config, RecipientLookup* lookup,
            ReportIntake* intake, SendLog* send_log = nullptr);

    // Marketing mail gets a reference header or a send-log record, both at
    // end of message.
    bool attributes_marketing() const { return signer != nullptr || send_log != nullptr; }
};

// Hands out the runtime in force now (the daemon swaps it on reload).
class RuntimeSource {
  public:
    virtual ~RuntimeSource() = default;
    virtual std::shared_ptr<const Runtime> current() const = 0;
};

// One SMTP connection: many messages, one at a time.
class Session {
  public:
    // `source` must outlive the session.
    explicit Session(const RuntimeSource& source);
    // One runtime for every message (tests, tools).
    explicit Session(std::shared_ptr<const Runtime> runtime);

    Verdict connect(const Client& client, const MacroSource& macros);
    Verdict mail_from(const std::string& sender, const MacroSource& macros);
    Verdict rcpt(const std::string& recipient, const MacroSource& macros);
    Verdict header(const std::string& name, const std::string& value);
    Verdict end_of_headers(const MacroSource& macros);
    Verdict body(std::string_view chunk);
    // Decides what end of message does; apply() (message_plan.h) does it.
    // A report in the message is committed here, before the plan exists.
    MessagePlan end_of_message(const MacroSource& macros);
    void abort();

    // The verdict for an exception escaping a stage (on_error.internal).
    Verdict internal_error(Stage stage, std::string_view what);
    const Runtime& runtime() const { return *runtime_; }

  private:
    struct Recipient {
        std::string as_given;        // smfi_delrcpt needs the address exactly as the MTA gave it
        std::string key;             // normalised; empty when the address does not normalise
        bool remove_always = false;  // suppressed, and the envelope already decides
        bool remove_if_marketing = false;  // suppressed for marketing mail only
        bool feedback = false;             // one of feedback.addresses: the report goes there
    };
    struct Message {
        Direction direction = Direction::inbound;
        EnvelopeFacts envelope;
        bool marketing_by_envelope = false;
        std::vector<Recipient> recipients;  // accepted at RCPT
        bool any_removal = false;
        bool marketing = false;  // known at end of headers
        HeaderList headers;
        bool report_candidate = false;
        bool report_too_large = false;
        bool report_recipients_removed = false;  // disposition discard, other recipients stay
        int forged_results = 0;                  // X-FBL-Result headers that came with it
        int forged_references = 0;               // outbound: reference headers that came with it
        std::string raw;                         // headers + body of a report candidate
        std::string queue_id = "NOQUEUE";
    };

    void note_queue_id(const MacroSource& macros);
    bool is_feedback_address(const std::string& key) const;
    Verdict outbound_rcpt(const std::string& recipient, const std::string& key, bool non_smtpd);
    Verdict outbound_end(MessagePlan& plan);
    std::string find_mailing_id() const;
    bool has_header(const std::string& name) const;
    void attribute(const std::vector<const Recipient*>& kept, const std::string& mailing_id,
                   MessagePlan& plan) const;
    bool adds_unsubscribe_headers() const;
    void plan_unsubscribe_headers(const std::vector<const Recipient*>& kept,
                                  const std::string& mailing_id, MessagePlan& plan) const;
    void set_header(const std::string& name, const std::string& value, MessagePlan& plan) const;
    std::string header_value(const std::string& name) const;
    void count_forged_header(const std::string& name);
    void plan_forged_header_removals(MessagePlan& plan) const;
    Verdict report_end(MessagePlan& plan);
    Verdict non_report_end(const std::string& summary, MessagePlan& plan) const;
    Verdict discard_report(MessagePlan& plan);
    Verdict failure_verdict(Stage stage) const;
    Verdict refuse_oversized_report() const;
    void append_raw(std::string_view text);
    bool is_feedback_content_type(const std::string& value) const;

    const config::Config& config() const { return *runtime_->config; }

    std::function<std::shared_ptr<const Runtime>()> current_runtime_;
    std::shared_ptr<const Runtime> runtime_;
    ConnectionFacts connection_;
    Message message_;
};

}  // namespace fbl::milter
