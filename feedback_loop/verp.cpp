#include "feedback_loop/verp.h"

#include <re2/re2.h>

#include "config/pattern.h"
#include "feedback_loop/field_block.h"

namespace fbl::feedback_loop {
namespace {

constexpr std::string_view kLocal = "{local}";
constexpr std::string_view kDomain = "{domain}";

std::string escape_regex(std::string_view literal) {
    return re2::RE2::QuoteMeta(re2::StringPiece(literal.data(), literal.size()));
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
        std::string why;
        auto compiled = config::compile_pattern(expression, why);
        if (!compiled) {
            ignored_.push_back(pattern);  // escaped literals around two groups: cannot happen
            continue;
        }
        patterns_.push_back({std::move(compiled), local_first});
    }
}

std::optional<std::string> VerpDecoder::decode(std::string_view sender) const {
    std::string text(trim(sender));
    for (const Pattern& pattern : patterns_) {
        std::string first;
        std::string second;
        if (re2::RE2::FullMatch(text, *pattern.expression, &first, &second)) {
            const std::string& local = pattern.local_first ? first : second;
            const std::string& domain = pattern.local_first ? second : first;
            return local + "@" + domain;
        }
    }
    return std::nullopt;
}

}  // namespace fbl::feedback_loop
