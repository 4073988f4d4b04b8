#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "feedback_loop/report.h"

// Readers for the value syntaxes that report fields and headers use.
namespace fbl::feedback_loop {

// Removes RFC 5322 comments "(...)" (nested, quoted-pair aware, outside
// quoted strings) and returns them separately.
std::string strip_comments(std::string_view value, std::vector<std::string>* comments = nullptr);

// "<a@b>", "a@b (comment)", "rfc822; a@b", "Name <a@b>" -> "a@b"; "" for "<>".
std::string addr_spec(std::string_view value);

// Splits "a@b, <c@d>" at commas outside quotes, brackets and comments, and
// returns the addr-spec of each non-empty item.
std::vector<std::string> addr_spec_list(std::string_view value);

// RFC 5322 date (GMime's reader, which knows obsolete zones such as EDT),
// with an ISO 8601 fallback that some providers use.
std::optional<TimePoint> parse_date(std::string_view value);

// "2026-11-28T19:22:55Z".
std::string iso8601(TimePoint time);

// The value of tag `d=` in a DKIM-Signature, lower-cased; "" when absent.
std::string dkim_signing_domain(std::string_view signature);

// "<id@host>" or "id@host" -> "id@host".
std::string bare_message_id(std::string_view value);

}  // namespace fbl::feedback_loop
