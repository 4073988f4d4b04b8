#pragma once

#include <optional>
#include <string_view>

#include "config/config.h"
#include "crm/adapter.h"

// Lifting Mailgun's blanket stop: Mailgun puts every complainer on the
// domain's complaints list, which stops all mail to them through Mailgun,
// answers to their own support requests too. We suppress marketing only (the
// milter enforces it), so once that suppression is committed an outbox job of
// this built-in adapter deletes the address from Mailgun's list:
// DELETE {base_url}/v3/{domain}/complaints/{email}, HTTP Basic "api" with the
// API key. 404 means the address is not (or no longer) listed: done.
namespace fbl::crm {

// The adapter name of the lift jobs (outbox.adapter); the loader refuses a
// CRM adapter of the same name while lift_blanket_stops is on.
inline constexpr std::string_view kMailgunLiftAdapter = "mailgun";

// The adapter, or nullopt when webhooks.mailgun.lift_blanket_stops is off.
// Throws AdapterError when the API settings cannot make one.
std::optional<Adapter> mailgun_lift_adapter(const config::MailgunHookSettings& mailgun);

}  // namespace fbl::crm
