#include "store/records.h"

#include <array>
#include <utility>

#include "store/console_reader.h"

namespace fbl::store {
namespace {

constexpr std::array<std::pair<std::string_view, Reason>, 5> kReasons{{
    {"complaint", Reason::complaint},
    {"unsubscribe", Reason::unsubscribe},
    {"manual", Reason::manual},
    {"import", Reason::import},
    {"bounce", Reason::bounce},
}};

template <typename Enum, std::size_t N>
const char* name_of(const std::array<std::pair<std::string_view, Enum>, N>& table, Enum value) {
    for (const auto& [name, candidate] : table) {
        if (candidate == value) {
            return name.data();
        }
    }
    return "unknown";
}

template <typename Enum, std::size_t N>
std::optional<Enum> value_of(const std::array<std::pair<std::string_view, Enum>, N>& table,
                             std::string_view text) {
    for (const auto& [name, candidate] : table) {
        if (name == text) {
            return candidate;
        }
    }
    return std::nullopt;
}

constexpr std::array<std::pair<std::string_view, ComplaintKind>, 5> kKinds{{
    {"complaint", ComplaintKind::complaint},
    {"not-spam", ComplaintKind::not_spam},
    {"auth-failure", ComplaintKind::auth_failure},
    {"unsubscribe", ComplaintKind::unsubscribe},
    {"not-a-report", ComplaintKind::not_a_report},
}};

constexpr std::array<std::pair<std::string_view, Channel>, 6> kChannels{{
    {"report", Channel::report},
    {"one-click", Channel::one_click},
    {"mailgun", Channel::mailgun},
    {"ses", Channel::ses},
    {"sendgrid", Channel::sendgrid},
    {"postmark", Channel::postmark},
}};

constexpr std::array<std::pair<std::string_view, JobState>, 4> kJobStates{{
    {"pending", JobState::pending},
    {"leased", JobState::leased},
    {"done", JobState::done},
    {"dead", JobState::dead},
}};

constexpr std::array<std::pair<std::string_view, CrmState>, 5> kCrmStates{{
    {"none", CrmState::none},
    {"queued", CrmState::queued},
    {"done", CrmState::done},
    {"dead", CrmState::dead},
    {"not-found", CrmState::not_found},
}};

}  // namespace

const char* to_string(CrmState state) {
    return name_of(kCrmStates, state);
}

const char* to_string(JobState state) {
    return name_of(kJobStates, state);
}
std::optional<JobState> parse_job_state(std::string_view text) {
    return value_of(kJobStates, text);
}

const char* to_string(ComplaintKind kind) {
    return name_of(kKinds, kind);
}
std::optional<ComplaintKind> parse_complaint_kind(std::string_view text) {
    return value_of(kKinds, text);
}

const char* to_string(Channel channel) {
    return name_of(kChannels, channel);
}
std::optional<Channel> parse_channel(std::string_view text) {
    return value_of(kChannels, text);
}

const char* to_string(Reason reason) {
    return name_of(kReasons, reason);
}
std::optional<Reason> parse_reason(std::string_view text) {
    return value_of(kReasons, text);
}

}  // namespace fbl::store
