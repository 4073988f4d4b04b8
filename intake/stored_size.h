#pragma once

#include <cstddef>

#include "store/records.h"

// Every report is stored, whoever sent it, so the size of its row must not be
// the sender's choice (issue 14, item 10). docs/operations.md, "Limits".
namespace fbl::intake {

// The parsed report kept for review (complaints.report_json).
inline constexpr std::size_t kMaxStoredJsonBytes = 64 * 1024;
// Each other text of the row: subject, user agent, Message-ID, trust reason...
inline constexpr std::size_t kMaxStoredFieldBytes = 2 * 1024;

// Cuts the complaint's texts to those caps. A report_json over its cap is
// replaced by {"truncated": true, "bytes": <full size>, "excerpt": "<its
// start>"}, still one valid JSON document.
void bound_for_storage(store::Complaint& complaint);

}  // namespace fbl::intake
