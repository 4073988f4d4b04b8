#include "web/export/cell_text.h"

#include <charconv>
#include <chrono>

#include <unistr.h>

namespace fbl::web::exporting {
namespace {

void append_digits(std::string& out, unsigned value, int width) {
    char digits[10];
    for (int i = width - 1; i >= 0; --i) {
        digits[i] = static_cast<char>('0' + value % 10);
        value /= 10;
    }
    out.append(digits, static_cast<std::size_t>(width));
}

constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";

}  // namespace

void append_iso_8601(std::string& out, TimePoint time) {
    using namespace std::chrono;
    auto seconds = floor<std::chrono::seconds>(time);
    auto day = floor<days>(seconds);
    year_month_day date{day};
    hh_mm_ss clock{seconds - day};
    // system_clock's range (years 1678 to 2262) always has four digits.
    append_digits(out, static_cast<unsigned>(static_cast<int>(date.year())), 4);
    out.push_back('-');
    append_digits(out, static_cast<unsigned>(date.month()), 2);
    out.push_back('-');
    append_digits(out, static_cast<unsigned>(date.day()), 2);
    out.push_back('T');
    append_digits(out, static_cast<unsigned>(clock.hours().count()), 2);
    out.push_back(':');
    append_digits(out, static_cast<unsigned>(clock.minutes().count()), 2);
    out.push_back(':');
    append_digits(out, static_cast<unsigned>(clock.seconds().count()), 2);
    out.push_back('Z');
}

std::string iso_8601(TimePoint time) {
    std::string text;
    append_iso_8601(text, time);
    return text;
}

void append_integer(std::string& out, std::int64_t value) {
    char digits[24];
    auto result = std::to_chars(digits, digits + sizeof digits, value);
    out.append(digits, result.ptr);
}

std::string_view valid_utf8(std::string_view text, std::string& storage) {
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(text.data());
    if (u8_check(bytes, text.size()) == nullptr) {
        return text;
    }
    storage.clear();
    std::size_t at = 0;
    while (at < text.size()) {
        ucs4_t code_point = 0;
        auto length =
            static_cast<std::size_t>(u8_mbtouc(&code_point, bytes + at, text.size() - at));
        // u8_mbtouc answers U+FFFD for an ill-formed sequence, and also for
        // a real U+FFFD, which is kept as written either way.
        storage.append(code_point == 0xFFFD ? kReplacementCharacter : text.substr(at, length));
        at += length;
    }
    return storage;
}

}  // namespace fbl::web::exporting
