#pragma once

#include <string>
#include <string_view>

#include "web/hooks/hook_reading.h"

// What SES put in a verified SNS notification's Message: a JSON object
// with notificationType (or, from a configuration set's event publishing,
// eventType) "Complaint", "Bounce", "Delivery", ...
namespace fbl::web::hooks {

// No complaint names more people than this; more is not SES's shape.
inline constexpr std::size_t kMaxComplainedRecipients = 50;

// A Complaint -> verdict event, one event per complainedRecipients[]
// (event id feedbackId:address, so each person is one event and the same
// notification twice is deduplicated); a "not-spam" feedback type and every
// other notification -> ignored. `reading` carries the replay fields in.
HookReading read_ses_notification(std::string_view message,
                                  const std::string& reference_header_name, HookReading reading);

}  // namespace fbl::web::hooks
