#include "intake/stored_size.h"

#include <string>

#include <nlohmann/json.hpp>

namespace fbl::intake {
namespace {

// Escaping at most doubles a byte of dumped JSON (`"` and `\` gain a
// backslash; control characters are already escaped), and the wrapper
// object needs a few dozen bytes.
constexpr std::size_t kExcerptBytes = kMaxStoredJsonBytes / 2 - 128;

bool is_utf8_continuation(char c) {
    return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

// Cut at `limit` bytes, never inside a UTF-8 sequence.
void cut(std::string& text, std::size_t limit) {
    if (text.size() <= limit) {
        return;
    }
    std::size_t end = limit;
    while (end > 0 && is_utf8_continuation(text[end])) {
        --end;
    }
    text.resize(end);
}

}  // namespace

void bound_for_storage(store::Complaint& complaint) {
    for (std::string* text :
         {&complaint.feedback_type, &complaint.provider, &complaint.user_agent,
          &complaint.source_ip, &complaint.original_message_id, &complaint.original_mail_from,
          &complaint.original_subject, &complaint.mailing_id, &complaint.trust_reason}) {
        cut(*text, kMaxStoredFieldBytes);
    }
    if (complaint.report_json.size() <= kMaxStoredJsonBytes) {
        return;
    }
    std::size_t bytes = complaint.report_json.size();
    cut(complaint.report_json, kExcerptBytes);
    nlohmann::json summary = {
        {"truncated", true}, {"bytes", bytes}, {"excerpt", complaint.report_json}};
    complaint.report_json = summary.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace fbl::intake
