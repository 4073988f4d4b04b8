#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "web/export/table_writer.h"

// How CSV and JSON spell the cells that are not text.
namespace fbl::web::exporting {

// "2026-12-02T14:03:55Z": UTC, whole seconds (a complaint's time has no
// meaningful fraction), the form both a spreadsheet and a JSON reader
// recognise.
void append_iso_8601(std::string& out, TimePoint time);
std::string iso_8601(TimePoint time);

void append_integer(std::string& out, std::int64_t value);

inline std::string_view boolean_text(bool value) {
    return value ? "true" : "false";
}

// `text` when it is valid UTF-8 (one check, no copy); otherwise a copy in
// `storage` with each ill-formed sequence replaced by U+FFFD, and a view of
// that. Strangers' subjects arrive in any charset, or none.
std::string_view valid_utf8(std::string_view text, std::string& storage);

}  // namespace fbl::web::exporting
