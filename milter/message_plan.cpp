#include "milter/message_plan.h"

#include "common/log.h"
#include "common/metrics.h"

namespace fbl::milter {
namespace {

// Each returns false, having logged why, when the MTA refused an edit the
// message must not go out without.
bool remove_headers(const MessagePlan& plan, MessageEditor& editor) {
    for (const auto& removal : plan.header_removals) {
        if (!editor.delete_header(removal.name, removal.index)) {
            log::error("{}: internal error: smfi_chgheader failed to remove a forged {}",
                       plan.queue_id, removal.name);
            return false;
        }
    }
    for (std::size_t first = 0; first < plan.header_removals.size();) {
        const auto& name = plan.header_removals[first].name;
        std::size_t next = first;
        while (next < plan.header_removals.size() && plan.header_removals[next].name == name) {
            ++next;
        }
        log::notice("{}: removed {} {} header(s) that came with the message", plan.queue_id,
                    next - first, name);
        first = next;
    }
    return true;
}

bool remove_recipients(const MessagePlan& plan, MessageEditor& editor) {
    for (const auto& removal : plan.recipient_removals) {
        bool suppressed = removal.why == RecipientRemoval::Why::suppressed;
        if (!editor.delete_recipient(removal.as_given)) {
            log::error("{}: internal error: smfi_delrcpt failed for {}", plan.queue_id,
                       suppressed ? "a suppressed recipient" : "a feedback address");
            return false;
        }
        if (suppressed) {
            metrics::global().recipient_blocked(metrics::BlockStage::eom);
            log::notice("{}: removed recipient {}: suppressed", plan.queue_id,
                        log::address(removal.logged));
        }
    }
    return true;
}

// A header the MTA would not add or change costs its purpose (a tag, a
// reference), never the message.
void edit_headers(const MessagePlan& plan, MessageEditor& editor) {
    for (const auto& change : plan.header_changes) {
        if (!editor.change_header(change.name, change.index, change.value)) {
            log::error("{}: smfi_chgheader failed for {}", plan.queue_id, change.name);
        }
    }
    for (const auto& addition : plan.header_additions) {
        if (!editor.add_header(addition.name, addition.value)) {
            log::error("{}: smfi_addheader failed for {}", plan.queue_id, addition.name);
        }
    }
}

}  // namespace

Verdict apply(const MessagePlan& plan, MessageEditor& editor, SendLog* send_log) {
    if (!remove_headers(plan, editor) || !remove_recipients(plan, editor)) {
        return plan.on_edit_failure;
    }
    edit_headers(plan, editor);
    if (send_log != nullptr && !plan.sends.empty()) {
        send_log->record(plan.sends);
    }
    return plan.verdict;
}

}  // namespace fbl::milter
