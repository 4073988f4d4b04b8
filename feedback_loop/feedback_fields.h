#pragma once

#include <string_view>

#include "feedback_loop/report.h"

namespace fbl::feedback_loop {

// Reads the fields of a message/feedback-report body (RFC 5965, 6591, 6692)
// into the report; unknown fields go to `extensions`, oddities to `warnings`.
void read_feedback_fields(std::string_view body, FeedbackReport& report);

}  // namespace fbl::feedback_loop
