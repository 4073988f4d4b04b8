#include "web/webhook_endpoints.h"

#include <chrono>

#include "web/hook_endpoint.h"
#include "web/hooks/mailgun.h"

namespace fbl::web {

// Mailgun retries any answer but 406 for 8 hours: a bad signature (our key
// being rotated, say) is 401 so the complaint comes back once the key is
// right; a stale, malformed or replayed request is 406, never worth a retry.
Response mailgun_webhook(const Request& request, RouteServices& services) {
    constexpr std::string_view kEndpoint = "mailgun";
    static const HookRefusals refusals{Status::unauthorized, Status::not_acceptable,
                                       Status::not_acceptable, Status::not_acceptable};
    auto config = services.config();
    const auto& mailgun = config->webhooks.mailgun;
    if (mailgun.signing_key.empty()) {
        return hook_not_configured(kEndpoint);
    }
    hooks::MailgunCheck check{mailgun.signing_key.reveal(), mailgun.max_age};
    auto reading = hooks::read_mailgun(request.body, check, std::chrono::system_clock::now());
    return answer_hook(kEndpoint, request, reading, refusals, services);
}

}  // namespace fbl::web
