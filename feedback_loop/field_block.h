#pragma once

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
};

// Expects LF line endings (the parser normalises CR and CRLF before GMime).
FieldBlock parse_field_block(std::string_view text);

// True when the text reads as a field block holding the named field: its first
// non-blank line is "Name: value" and some line starts with `name:`.
bool looks_like_field_block_with(std::string_view text, std::string_view name);

// "Name" when the line starts with "Name:" (or the obsolete "Name :"), else "".
std::string_view field_name_of(std::string_view line);

// Case-insensitive ASCII comparison of field names.
bool same_name(std::string_view a, std::string_view b);

std::string to_lower(std::string_view text);
std::string_view trim(std::string_view text);

}  // namespace fbl::feedback_loop
