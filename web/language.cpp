#include "web/language.h"

#include <algorithm>
#include <charconv>

#include "common/text.h"

namespace fbl::web {
namespace {

constexpr int kMaxEntries = 32;

std::string_view trimmed(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
        text.remove_prefix(1);
    }
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
        text.remove_suffix(1);
    }
    return text;
}

// "0.8" -> 800; anything unreadable -> 0 (not acceptable).
int quality_of(std::string_view parameters) {
    auto q = parameters.find("q=");
    if (q == std::string_view::npos) {
        return 1000;
    }
    std::string_view value = trimmed(parameters.substr(q + 2));
    double quality = 0;
    auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), quality);
    if (error != std::errc{} || quality < 0 || quality > 1) {
        return 0;
    }
    return static_cast<int>(quality * 1000);
}

bool is_norwegian(std::string_view tag) {
    std::string_view primary = tag.substr(0, tag.find('-'));
    return text::iequals(primary, "nb") || text::iequals(primary, "no") ||
           text::iequals(primary, "nn");
}

}  // namespace

Language preferred_language(std::string_view accept_language) {
    int english = 0;
    int norwegian = 0;
    for (int entry = 0; entry < kMaxEntries && !accept_language.empty(); ++entry) {
        auto comma = accept_language.find(',');
        std::string_view item = accept_language.substr(0, comma);
        accept_language = comma == std::string_view::npos ? std::string_view{}
                                                          : accept_language.substr(comma + 1);
        auto semicolon = item.find(';');
        std::string_view tag = trimmed(item.substr(0, semicolon));
        int quality =
            semicolon == std::string_view::npos ? 1000 : quality_of(item.substr(semicolon));
        std::string_view primary = tag.substr(0, tag.find('-'));
        if (is_norwegian(tag)) {
            norwegian = std::max(norwegian, quality);
        } else if (text::iequals(primary, "en")) {
            english = std::max(english, quality);
        }
    }
    return norwegian > english ? Language::norwegian_bokmal : Language::english;
}

const char* html_lang(Language language) {
    return language == Language::norwegian_bokmal ? "nb" : "en";
}

}  // namespace fbl::web
