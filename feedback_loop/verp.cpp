#include "feedback_loop/verp.h"

#include "feedback_loop/field_block.h"

namespace fbl::feedback_loop {
namespace {

constexpr std::string_view kLocal = "{local}";
constexpr std::string_view kDomain = "{domain}";

std::string escape_regex(std::string_view literal) {
    std::string escaped;
    for (char c : literal) {
        if (std::string_view("\\^$.|?*+()[]{}").find(c) != std::string_view::npos) {
            escaped.push_back('\\');
        }
        escaped.push_back(c);
    }
    return escaped;
}

}  // namespace

VerpDecoder::VerpDecoder(const std::vector<std::string>& patterns) {
    for (const std::string& pattern : patterns) {
        std::size_t local = pattern.find(kLocal);
        std::size_t domain = pattern.find(kDomain);
        if (local == std::string::npos || domain == std::string::npos) {
            ignored_.push_back(pattern);
            continue;
        }
        bool local_first = local < domain;
        std::size_t first = local_first ? local : domain;
        std::size_t first_end = first + (local_first ? kLocal.size() : kDomain.size());
        std::size_t second = local_first ? domain : local;
        std::size_t second_end = second + (local_first ? kDomain.size() : kLocal.size());
        // A local part may itself hold the separator; the domain never does.
        const std::string local_group = "(.+)";
        const std::string domain_group = "([A-Za-z0-9.-]+)";
        std::string expression =
            escape_regex(std::string_view(pattern).substr(0, first)) +
            (local_first ? local_group : domain_group) +
            escape_regex(std::string_view(pattern).substr(first_end, second - first_end)) +
            (local_first ? domain_group : local_group) +
            escape_regex(std::string_view(pattern).substr(second_end));
        patterns_.push_back(
            {std::regex(expression, std::regex::ECMAScript | std::regex::icase), local_first});
    }
}

std::optional<std::string> VerpDecoder::decode(std::string_view sender) const {
    std::string text(trim(sender));
    for (const Pattern& pattern : patterns_) {
        std::smatch match;
        if (std::regex_match(text, match, pattern.expression)) {
            std::string local = pattern.local_first ? match[1].str() : match[2].str();
            std::string domain = pattern.local_first ? match[2].str() : match[1].str();
            return local + "@" + domain;
        }
    }
    return std::nullopt;
}

}  // namespace fbl::feedback_loop
