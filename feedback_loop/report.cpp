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

const char* to_string(ReportFormat format) {
    switch (format) {
        case ReportFormat::none:
            return "";
        case ReportFormat::arf:
            return "arf";
        case ReportFormat::arf_text_plain:
            return "arf-text-plain";
        case ReportFormat::arf_forwarded:
            return "arf-forwarded";
        case ReportFormat::jmrp:
            return "jmrp";
        case ReportFormat::jmrp_bare:
            return "jmrp-bare";
        case ReportFormat::unsubscribe_request:
            return "unsubscribe-request";
    }
    return "";
}

bool is_arf(ReportFormat format) {
    return format == ReportFormat::arf || format == ReportFormat::arf_text_plain ||
           format == ReportFormat::arf_forwarded;
}

bool is_jmrp(ReportFormat format) {
    return format == ReportFormat::jmrp || format == ReportFormat::jmrp_bare;
}

}  // namespace fbl::feedback_loop
