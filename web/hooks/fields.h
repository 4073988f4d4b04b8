#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "store/records.h"
#include "web/hooks/hook_reading.h"

// What every provider's reader does with a verified JSON event: take named
// fields, each bounded, so a wide or huge payload keeps nothing unbounded.
namespace fbl::web::hooks {

// The longest field we take, per kind: an address (RFC 5321's 64 + 1 + 255),
// a provider's event id, a Message-ID (RFC 5322's line limit).
inline constexpr std::size_t kMaxRecipient = 320;
inline constexpr std::size_t kMaxEventId = 128;
inline constexpr std::size_t kMaxMessageId = 998;

// A reading that refuses the request, with why for the log.
HookReading refused(HookVerdict verdict, std::string why);

// The string at object[name] when it is one and no longer than limit, else "".
std::string text_at(const nlohmann::json& object, const char* name, std::size_t limit);

// The whole seconds since the epoch at object[name], when it is a plausible
// number (after 1970, before the year 5000).
std::optional<store::TimePoint> unix_time_at(const nlohmann::json& object, const char* name);

// object[name] copied into detail[name] when its JSON text is at most limit
// bytes: ids and tags the provider attaches, kept with the event.
void keep_bounded(const nlohmann::json& object, const char* name, std::size_t limit,
                  nlohmann::json& detail);

}  // namespace fbl::web::hooks
