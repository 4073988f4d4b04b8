#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "feedback_loop/report.h"

namespace fbl::feedback_loop {

struct ParseOptions {
    std::string reference_header = "X-FBL-Ref";
    std::vector<std::string> mailing_id_headers{"X-Mailing-ID", "Feedback-ID"};
    std::uint64_t size_limit = 10 * 1024 * 1024;  // larger inputs are refused, not truncated

    static ParseOptions from_config(const config::Config& config);
};

// Turns one message into a FeedbackReport. Never throws on bad input and
// never crashes: what cannot be read is a not-a-report with errors.
FeedbackReport parse_report(std::string_view raw_message, const ParseOptions& options);

// CRLF and lone CR become LF, so every quirk of line endings reads the same
// and two deliveries of one report hash the same.
std::string normalise_line_endings(std::string_view raw);

}  // namespace fbl::feedback_loop
