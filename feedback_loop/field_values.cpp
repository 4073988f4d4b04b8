#include "feedback_loop/field_values.h"

#include <cctype>
#include <cstdint>
#include <ctime>

#include "common/text.h"
#include "feedback_loop/field_block.h"
#include "feedback_loop/gmime_handle.h"

namespace fbl::feedback_loop {
namespace {

constexpr int kMaxCommentDepth = 64;

// system_clock counts nanoseconds in 64 bits: past 2262 it overflows. No
// report is dated before 1970 or after 2200; such dates are unreadable.
constexpr std::int64_t kLatestSeconds = 7'258'118'400;  // 2200-01-01

std::optional<TimePoint> from_unix_seconds(std::int64_t seconds) {
    if (seconds < 0 || seconds >= kLatestSeconds) {
        return std::nullopt;
    }
    return std::chrono::system_clock::from_time_t(static_cast<std::time_t>(seconds));
}

// Cuts at the first comma that is outside quotes, <...> and (...).
std::vector<std::string_view> split_list(std::string_view value) {
    std::vector<std::string_view> items;
    bool quoted = false;
    int angle = 0;
    int paren = 0;
    std::size_t start = 0;
    for (std::size_t i = 0; i < value.size(); ++i) {
        char c = value[i];
        if (c == '\\' && i + 1 < value.size()) {
            ++i;
        } else if (c == '"' && paren == 0) {
            quoted = !quoted;
        } else if (!quoted && c == '(') {
            ++paren;
        } else if (!quoted && c == ')' && paren > 0) {
            --paren;
        } else if (!quoted && paren == 0 && c == '<') {
            ++angle;
        } else if (!quoted && paren == 0 && c == '>' && angle > 0) {
            --angle;
        } else if (!quoted && paren == 0 && angle == 0 && c == ',') {
            items.push_back(value.substr(start, i - start));
            start = i + 1;
        }
    }
    items.push_back(value.substr(start));
    return items;
}

std::optional<TimePoint> parse_iso8601(std::string_view value) {
    std::tm parts{};
    std::string text(trim(value));
    const char* end = strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &parts);
    if (end == nullptr) {
        end = strptime(text.c_str(), "%Y-%m-%d %H:%M:%S", &parts);
    }
    if (end == nullptr) {
        return std::nullopt;
    }
    while (*end == '.' || std::isdigit(static_cast<unsigned char>(*end))) {
        ++end;  // fractional seconds
    }
    long offset = 0;
    if (*end == '+' || *end == '-') {
        int hours = 0;
        int minutes = 0;
        if (std::sscanf(end + 1, "%2d:%2d", &hours, &minutes) < 1 &&
            std::sscanf(end + 1, "%2d%2d", &hours, &minutes) < 1) {
            return std::nullopt;
        }
        offset = (hours * 3600L + minutes * 60L) * (*end == '-' ? -1 : 1);
    } else if (*end != 'Z' && *end != 'z' && *end != '\0') {
        return std::nullopt;
    }
    std::time_t utc = timegm(&parts);
    if (utc == static_cast<std::time_t>(-1)) {
        return std::nullopt;
    }
    return from_unix_seconds(static_cast<std::int64_t>(utc) - offset);
}

}  // namespace

std::string strip_comments(std::string_view value, std::vector<std::string>* comments) {
    std::string result;
    std::string comment;
    bool quoted = false;
    int depth = 0;
    for (std::size_t i = 0; i < value.size(); ++i) {
        char c = value[i];
        if (c == '\\' && i + 1 < value.size()) {
            (depth > 0 ? comment : result).append(value.substr(i, 2));
            ++i;
            continue;
        }
        if (depth == 0 && c == '"') {
            quoted = !quoted;
        }
        if (!quoted && c == '(' && depth < kMaxCommentDepth) {
            if (depth++ > 0) {
                comment.push_back(c);
            }
            continue;
        }
        if (!quoted && c == ')' && depth > 0) {
            if (--depth == 0) {
                if (comments != nullptr) {
                    comments->emplace_back(trim(comment));
                }
                comment.clear();
            } else {
                comment.push_back(c);
            }
            continue;
        }
        (depth > 0 ? comment : result).push_back(c);
    }
    return std::string(trim(result));
}

std::string addr_spec(std::string_view value) {
    std::string text = strip_comments(value);
    std::string_view view = trim(text);
    // "rfc822; a@b" (the DSN address-type prefix some generators copy).
    if (std::size_t semicolon = view.find(';');
        semicolon != std::string_view::npos && view.find('@') > semicolon &&
        text::iequals(trim(view.substr(0, semicolon)), "rfc822")) {
        view = trim(view.substr(semicolon + 1));
    }
    std::size_t open = view.rfind('<');
    if (open != std::string_view::npos) {
        std::size_t close = view.find('>', open);
        view = view.substr(
            open + 1, close == std::string_view::npos ? std::string_view::npos : close - open - 1);
    }
    view = trim(view);
    if (view.size() >= 2 && view.front() == '"' && view.back() == '"' &&
        view.find('@') == std::string_view::npos) {
        return {};  // a display name only
    }
    return std::string(view);
}

std::vector<std::string> addr_spec_list(std::string_view value) {
    std::vector<std::string> addresses;
    for (std::string_view item : split_list(value)) {
        std::string address = addr_spec(item);
        if (!address.empty()) {
            addresses.push_back(std::move(address));
        }
    }
    return addresses;
}

std::optional<TimePoint> parse_date(std::string_view value) {
    std::string text(trim(value));
    if (text.empty()) {
        return std::nullopt;
    }
    gmime::ensure_initialised();
    gmime::DateTime date(g_mime_utils_header_decode_date(text.c_str()));
    if (date) {
        return from_unix_seconds(g_date_time_to_unix(date.get()));
    }
    return parse_iso8601(text);
}

std::string iso8601(TimePoint time) {
    std::time_t seconds = std::chrono::system_clock::to_time_t(time);
    std::tm parts{};
    gmtime_r(&seconds, &parts);
    char buffer[32];
    std::size_t length = std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &parts);
    return std::string(buffer, length);
}

std::string dkim_signing_domain(std::string_view signature) {
    std::size_t position = 0;
    while (position <= signature.size()) {
        std::size_t end = signature.find(';', position);
        if (end == std::string_view::npos) {
            end = signature.size();
        }
        std::string_view tag = trim(signature.substr(position, end - position));
        std::size_t equals = tag.find('=');
        if (equals != std::string_view::npos && trim(tag.substr(0, equals)) == "d") {
            std::string domain;
            for (char c : tag.substr(equals + 1)) {
                if (!std::isspace(static_cast<unsigned char>(c))) {
                    domain.push_back(c);
                }
            }
            return text::ascii_lower(domain);
        }
        position = end + 1;
    }
    return {};
}

std::string bare_message_id(std::string_view value) {
    std::string text = strip_comments(value);
    std::string_view view = trim(text);
    std::size_t open = view.find('<');
    if (open != std::string_view::npos) {
        std::size_t close = view.find('>', open);
        view = view.substr(
            open + 1, close == std::string_view::npos ? std::string_view::npos : close - open - 1);
    }
    return std::string(trim(view));
}

}  // namespace fbl::feedback_loop
