#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

// The body of a message/feedback-report part is a header-like block
// (RFC 5965 section 3.1). This reads it tolerantly: folded values, stray blank
// lines, lines without a colon (reported, skipped).
namespace fbl::feedback_loop {

struct Field {
    std::string name;        // as written
    std::string value;       // unfolded, folding whitespace collapsed, trimmed
    bool truncated = false;  // value cut at limits::kMaxValueBytes
};

struct FieldBlock {
    std::vector<Field> fields;
    std::vector<std::string> skipped_lines;  // first few lines that were not fields
    std::size_t fields_past_limit = 0;       // fields after the first `max_fields`, not kept
};

// Called with the name of each field past the limit, so the caller can tell
// what it lost without the block keeping it.
using SkippedFieldVisitor = std::function<void(std::string_view name)>;

// Expects LF line endings (the parser normalises CR and CRLF before GMime).
// Keeps the first `max_fields` fields; the rest are only counted and named.
FieldBlock parse_field_block(std::string_view text,
                             std::size_t max_fields = static_cast<std::size_t>(-1),
                             const SkippedFieldVisitor& on_skipped = {});

// True when the text reads as a field block holding the named field: its first
// non-blank line is "Name: value" and some line starts with `name:`.
bool looks_like_field_block_with(std::string_view text, std::string_view name);

// "Name" when the line starts with "Name:" (or the obsolete "Name :"), else "".
std::string_view field_name_of(std::string_view line);

std::string_view trim(std::string_view text);

}  // namespace fbl::feedback_loop
