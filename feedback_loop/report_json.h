#pragma once

#include <nlohmann/json.hpp>

#include "feedback_loop/recipients.h"
#include "feedback_loop/report.h"

namespace fbl::feedback_loop {

// The JSON form of a parsed report and its recipients, as `fblctl parse`
// prints it and the complaints table keeps it (docs/parse-output.md).
nlohmann::json to_json(const FeedbackReport& report, const Resolution& resolution);

}  // namespace fbl::feedback_loop
