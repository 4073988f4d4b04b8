#include "feedback_loop/report.h"

namespace fbl::feedback_loop {

const char* to_string(ReportKind kind) {
    switch (kind) {
        case ReportKind::complaint:
            return "complaint";
        case ReportKind::not_spam:
            return "not-spam";
        case ReportKind::auth_failure:
            return "auth-failure";
        case ReportKind::unsubscribe:
            return "unsubscribe";
        case ReportKind::not_a_report:
            return "not-a-report";
    }
    return "not-a-report";
}

}  // namespace fbl::feedback_loop
