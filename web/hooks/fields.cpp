#include "web/hooks/fields.h"

#include <chrono>

namespace fbl::web::hooks {

HookReading refused(HookVerdict verdict, std::string why) {
    HookReading reading;
    reading.verdict = verdict;
    reading.why = std::move(why);
    return reading;
}

std::string text_at(const nlohmann::json& object, const char* name, std::size_t limit) {
    auto found = object.find(name);
    if (found == object.end() || !found->is_string()) {
        return {};
    }
    const auto& text = found->get_ref<const std::string&>();
    return text.size() <= limit ? text : std::string();
}

std::optional<store::TimePoint> unix_time_at(const nlohmann::json& object, const char* name) {
    auto found = object.find(name);
    if (found == object.end() || !found->is_number()) {
        return std::nullopt;
    }
    double seconds = found->get<double>();
    if (!(seconds > 0 && seconds < 1e11)) {
        return std::nullopt;
    }
    return store::TimePoint(std::chrono::duration_cast<store::TimePoint::duration>(
        std::chrono::duration<double>(seconds)));
}

void keep_bounded(const nlohmann::json& object, const char* name, std::size_t limit,
                  nlohmann::json& detail) {
    auto found = object.find(name);
    if (found == object.end() || found->is_null()) {
        return;
    }
    // A string's size bounds its dump from below: skip the dump of a huge one.
    if (found->is_string() && found->get_ref<const std::string&>().size() > limit) {
        return;
    }
    if (found->dump().size() <= limit) {
        detail[name] = *found;
    }
}

}  // namespace fbl::web::hooks
