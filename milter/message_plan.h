#pragma once

#include <string>
#include <vector>

#include "milter/ports.h"
#include "milter/verdict.h"
#include "store/records.h"

namespace fbl::milter {

// What end of message does to one message, decided before any of it is done
// (issue 15): the session decides, apply() carries it out. A test reads the
// plan without an editor; the glue applies it in one call.
struct HeaderRemoval {
    std::string name;
    int index = 0;  // from 1 among the headers called `name`
};

struct HeaderChange {
    std::string name;
    int index = 0;
    std::string value;
};

struct HeaderAddition {
    std::string name;
    std::string value;
};

struct RecipientRemoval {
    enum class Why { suppressed, report_consumed };
    std::string as_given;  // smfi_delrcpt needs the address exactly as the MTA gave it
    std::string logged;    // the address for the log line (normalised key when there is one)
    Why why = Why::suppressed;
};

struct MessagePlan {
    std::string queue_id = "NOQUEUE";
    // Applied in this order. Removals come first and from the last index
    // back, so each one leaves the indices of the ones before it as the
    // message had them; additions come last and never shift an index.
    std::vector<HeaderRemoval> header_removals;
    std::vector<HeaderChange> header_changes;
    std::vector<RecipientRemoval> recipient_removals;
    std::vector<HeaderAddition> header_additions;
    // Recorded in the send log only once every edit took.
    std::vector<store::SendRecord> sends;
    Verdict verdict = Verdict::accept();
    // The answer when the MTA refuses an edit: decided with the plan, while
    // the session still knows whether a report was in the message.
    Verdict on_edit_failure = Verdict::tempfail(kTempfailInternalReply);
};

// Carries out `plan` through `editor`, then records its sends in `send_log`
// (null: send log off). An edit the MTA refuses ends it with
// plan.on_edit_failure and records nothing.
Verdict apply(const MessagePlan& plan, MessageEditor& editor, SendLog* send_log);

}  // namespace fbl::milter
