#include "web/export/excel_text.h"

#include <algorithm>
#include <cctype>
#include <cstdint>

#include <unistr.h>

namespace fbl::web::exporting {
namespace {

constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";
constexpr std::string_view kEscapedUnderscore = "_x005F_";

bool xml_refuses(ucs4_t code_point) {
    return code_point == 0 || code_point == 0xFFFE || code_point == 0xFFFF;
}

std::size_t utf16_units(ucs4_t code_point) {
    return code_point > 0xFFFF ? 2 : 1;
}

// "_x0041_" in a cell's XML is Excel's escape for "A"; a subject holding
// those seven characters keeps them when its '_' is itself escaped.
bool looks_like_an_excel_escape(std::string_view rest) {
    auto is_hex = [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; };
    return rest.size() >= 7 && rest[0] == '_' && rest[1] == 'x' && is_hex(rest[2]) &&
           is_hex(rest[3]) && is_hex(rest[4]) && is_hex(rest[5]) && rest[6] == '_';
}

}  // namespace

std::string excel_text(std::string_view text) {
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(text.data());
    std::string clean;
    clean.reserve(std::min(text.size(), 4 * kExcelMaxCellChars));
    std::size_t units = 0;
    std::size_t at = 0;
    while (at < text.size()) {
        ucs4_t code_point = 0;
        auto length =
            static_cast<std::size_t>(u8_mbtouc(&code_point, bytes + at, text.size() - at));
        // u8_mbtouc answers U+FFFD for an ill-formed sequence.
        std::string_view piece = text.substr(at, length);
        if (code_point == 0xFFFD || xml_refuses(code_point)) {
            piece = kReplacementCharacter;
        } else if (looks_like_an_excel_escape(text.substr(at))) {
            piece = kEscapedUnderscore;
        }
        // libxlsxwriter counts the escape's seven characters against the
        // limit, so they are counted here too.
        units += piece == kEscapedUnderscore ? piece.size() : utf16_units(code_point);
        if (units > kExcelMaxCellChars) {
            break;
        }
        clean.append(piece);
        at += length;
    }
    return clean;
}

}  // namespace fbl::web::exporting
