#include "web/hooks/hook_reading.h"

namespace fbl::web::hooks {

const char* to_string(HookVerdict verdict) {
    switch (verdict) {
        case HookVerdict::event:
            return "event";
        case HookVerdict::ignored:
            return "ignored";
        case HookVerdict::bad_signature:
            return "bad-signature";
        case HookVerdict::stale:
            return "stale";
        case HookVerdict::malformed:
            return "malformed";
        case HookVerdict::forbidden_source:
            return "forbidden-source";
        case HookVerdict::unknown_topic:
            return "unknown-topic";
        case HookVerdict::confirm_subscription:
            return "confirm-subscription";
    }
    return "malformed";
}

}  // namespace fbl::web::hooks
