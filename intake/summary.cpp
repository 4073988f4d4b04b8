#include "intake/summary.h"

#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "common/log.h"

namespace fbl::intake {

std::string summary(const IntakeResult& result) {
    return fmt::format("{}; {}; {} recipient(s), {} suppressed{}{}",
                       feedback_loop::to_string(result.kind),
                       result.stored ? (result.trusted ? "trusted" : "untrusted") : "not stored",
                       result.recipients, result.suppressed, result.duplicate ? "; duplicate" : "",
                       result.reason.empty() ? "" : "; " + result.reason);
}

std::string log_summary(const IntakeResult& result) {
    std::vector<std::string> shown;
    for (const std::string& key : result.recipient_keys) {
        shown.push_back(log::address(key));
    }
    return fmt::format("{}; provider {}; recipient {}", summary(result),
                       result.provider.empty() ? "unknown" : result.provider,
                       shown.empty() ? "none" : fmt::format("{}", fmt::join(shown, ", ")));
}

}  // namespace fbl::intake
