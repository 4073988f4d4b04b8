#pragma once

#include "feedback_loop/report.h"

namespace fbl::feedback_loop {

// Sets report.kind from the format and the Feedback-Type (RFC 5965 section
// 7.3: an unknown type is handled as "other", i.e. a complaint).
void classify(FeedbackReport& report);

}  // namespace fbl::feedback_loop
