#pragma once

#include <cstddef>

// Hard caps on what one message can make the parser hold or walk, so that
// the cost of any input stays linear in its size and its result bounded
// whatever a stranger sends (issue 14, item 7). docs/operations.md, "Limits",
// lists them; a report that hits one says so in its warnings, and one that
// lost recipients says so in FeedbackReport::recipients_truncated.
namespace fbl::feedback_loop::limits {

// Fields read from one message/feedback-report block; real reports carry
// 10 to 30. Later lines are counted and skipped.
inline constexpr std::size_t kMaxFieldsPerBlock = 2'000;

// Addresses kept per list (Original-Rcpt-To + Removal-Recipient together,
// the original's To, its Cc). Far above any genuine report, which names one;
// policy has its own, smaller cap (feedback.max_recipients_per_report).
inline constexpr std::size_t kMaxRecipientsPerReport = 1'000;

// MIME parts looked at in one message (containers and leaves).
inline constexpr std::size_t kMaxMimeParts = 1'000;

// Nested containers (multipart/*, message/*) a message may declare before
// GMime is asked to read it: GMime recurses once per level.
inline constexpr int kMaxMimeDepth = 64;

// Bytes kept of one unfolded field or header value; the rest is dropped.
inline constexpr std::size_t kMaxValueBytes = 64 * 1024;

// Warnings kept per report; the rest are counted in one last warning.
inline constexpr std::size_t kMaxWarnings = 100;

}  // namespace fbl::feedback_loop::limits
