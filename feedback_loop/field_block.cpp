#include "feedback_loop/field_block.h"

#include <algorithm>
#include <cctype>

#include "common/text.h"
#include "feedback_loop/limits.h"

namespace fbl::feedback_loop {
namespace {

constexpr std::size_t kMaxSkippedLinesKept = 3;

bool is_blank(char c) {
    return c == ' ' || c == '\t';
}

bool is_field_name_char(char c) {
    // RFC 5322 ftext: printable US-ASCII except colon.
    return c > 32 && c < 127 && c != ':';
}

// Length of "Name" when the line starts with "Name:", else 0.
std::size_t field_name_length(std::string_view line) {
    std::size_t length = 0;
    while (length < line.size() && is_field_name_char(line[length])) {
        ++length;
    }
    std::size_t colon = length;
    while (colon < line.size() && is_blank(line[colon])) {
        ++colon;  // "Name :" is obsolete syntax but seen in the wild
    }
    if (length == 0 || colon >= line.size() || line[colon] != ':') {
        return 0;
    }
    return length;
}

void append_collapsed(Field& field, std::string_view piece) {
    std::string& out = field.value;
    if (out.size() + piece.size() > limits::kMaxValueBytes) {
        field.truncated = true;
        piece =
            piece.substr(0, limits::kMaxValueBytes - std::min(out.size(), limits::kMaxValueBytes));
    }
    for (char c : piece) {
        if (is_blank(c) || c == '\n' || c == '\r') {
            if (!out.empty() && out.back() != ' ') {
                out.push_back(' ');
            }
        } else {
            out.push_back(c);
        }
    }
}

std::string_view next_line(std::string_view text, std::size_t& position) {
    std::size_t end = text.find('\n', position);
    if (end == std::string_view::npos) {
        end = text.size();
    }
    std::string_view line = text.substr(position, end - position);
    position = end + 1;
    return line;
}

}  // namespace

std::string_view trim(std::string_view text) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
        text.remove_prefix(1);
    }
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
        text.remove_suffix(1);
    }
    return text;
}

std::string_view field_name_of(std::string_view line) {
    return line.substr(0, field_name_length(line));
}

FieldBlock parse_field_block(std::string_view text, std::size_t max_fields,
                             const SkippedFieldVisitor& on_skipped) {
    FieldBlock block;
    std::size_t position = 0;
    Field* current = nullptr;
    while (position < text.size()) {
        std::string_view line = next_line(text, position);
        if (!line.empty() && line.back() == '\r') {
            line.remove_suffix(1);
        }
        if (trim(line).empty()) {
            current = nullptr;  // a blank line ends folding, not the block
            continue;
        }
        if (is_blank(line.front())) {
            if (current != nullptr) {
                append_collapsed(*current, line);
            } else if (block.skipped_lines.size() < kMaxSkippedLinesKept) {
                block.skipped_lines.emplace_back(trim(line));
            }
            continue;
        }
        std::size_t name_length = field_name_length(line);
        if (name_length == 0) {
            current = nullptr;
            if (block.skipped_lines.size() < kMaxSkippedLinesKept) {
                block.skipped_lines.emplace_back(trim(line));
            }
            continue;
        }
        if (block.fields.size() >= max_fields) {
            current = nullptr;  // its continuation lines go with it
            ++block.fields_past_limit;
            if (on_skipped) {
                on_skipped(line.substr(0, name_length));
            }
            continue;
        }
        Field& field = block.fields.emplace_back();
        field.name = std::string(line.substr(0, name_length));
        append_collapsed(field, line.substr(line.find(':', name_length) + 1));
        current = &field;
    }
    for (Field& field : block.fields) {
        field.value = std::string(trim(field.value));
    }
    return block;
}

bool looks_like_field_block_with(std::string_view text, std::string_view name) {
    std::size_t position = 0;
    bool first = true;
    while (position < text.size()) {
        std::string_view line = next_line(text, position);
        if (first) {
            if (trim(line).empty()) {
                continue;
            }
            if (field_name_length(line) == 0) {
                return false;
            }
            first = false;
        }
        std::size_t length = field_name_length(line);
        if (length != 0 && text::iequals(line.substr(0, length), name)) {
            return true;
        }
    }
    return false;
}

}  // namespace fbl::feedback_loop
