#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/records.h"

// The session's view of everything outside it. libmilter, the index and the
// report intake sit behind these, so the session runs in tests without an MTA.
namespace fbl::milter {

// Sendmail macros of the current stage ("i", "{auth_authen}", ...).
class MacroSource {
  public:
    virtual ~MacroSource() = default;
    virtual std::optional<std::string> macro(const char* name) const = 0;
};

// Changes to the message; the MTA allows them only at end of message, so the
// session receives an editor only in end_of_message().
class MessageEditor {
  public:
    virtual ~MessageEditor() = default;
    virtual bool delete_recipient(const std::string& recipient_as_given) = 0;
    virtual bool add_header(const std::string& name, const std::string& value) = 0;
    virtual bool change_header(const std::string& name, int index, const std::string& value) = 0;
    // `index` counts from 1 among the headers called `name`.
    virtual bool delete_header(const std::string& name, int index) = 0;
};

// Is this key suppressed, and with which scope and expiry? The daemon's
// implementation answers from the in-memory index and never throws; others
// may throw store::StoreUnavailable when the answer cannot be had.
// Only key, scope and expires_at of the answer are filled.
class RecipientLookup {
  public:
    virtual ~RecipientLookup() = default;
    virtual std::optional<store::Suppression> lookup(const std::string& key) = 0;
};

// What taking in one report message did.
struct IntakeOutcome {
    bool is_report = false;
    std::string summary;  // one line for the X-FBL-Result header (intake::summary)
    // The summary with provider and recipients (log::address: hashed with
    // logging.pii: hashed), for the log line only: the header carries no address.
    std::string log_summary;
};

// Parses and stores one report in one transaction (the code path shared with
// `fblctl ingest`). Throws store::StoreUnavailable when it cannot commit.
class ReportIntake {
  public:
    virtual ~ReportIntake() = default;
    virtual IntakeOutcome take_in(std::string_view raw_message) = 0;
};

// Where outgoing marketing mail is recorded (Message-ID -> recipients,
// mailing). Must never block: implementations queue and drop when full.
class SendLog {
  public:
    virtual ~SendLog() = default;
    virtual void record(std::vector<store::SendRecord> records) = 0;
};

}  // namespace fbl::milter
