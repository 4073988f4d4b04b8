#include "web/webhook_endpoints.h"

#include <chrono>

#include "common/log.h"
#include "common/metrics.h"
#include "web/hook_endpoint.h"
#include "web/hooks/mailgun.h"
#include "web/hooks/postmark.h"
#include "web/hooks/sendgrid.h"
#include "web/hooks/ses.h"
#include "web/hooks/sns_subscription.h"
#include "web/web_outcome.h"

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

// SNS retries any non-2xx (for up to an hour under the most patient
// policy); a refusal it cannot fix is still an error to it, and the
// messages are few. A topic we did not configure is 403: somebody else's
// subscription, pointed at us.
Response ses_webhook(const Request& request, RouteServices& services) {
    constexpr std::string_view kEndpoint = "ses";
    static const HookRefusals refusals{Status::forbidden, Status::bad_request, Status::bad_request,
                                       Status::bad_request};
    auto config = services.config();
    const auto& ses = config->webhooks.ses;
    if (!ses.enabled()) {
        return hook_not_configured(kEndpoint);
    }
    hooks::SesCheck check;
    check.topic_arns = ses.topic_arns;
    check.certificates = &services.sns_certificates;
    check.reference_header_name = config->feedback.reference_header.name;
    check.max_age = ses.max_age;
    auto reading = hooks::read_ses(request, check, std::chrono::system_clock::now());
    if (reading.verdict == hooks::HookVerdict::confirm_subscription) {
        bool confirmed =
            hooks::confirm_sns_subscription(reading.confirm_url, std::chrono::seconds(10));
        log::notice("ses webhook: subscription confirmation {}", confirmed ? "sent" : "failed");
        metrics::global().web_request(
            kEndpoint, to_string(confirmed ? WebOutcome::confirmed : WebOutcome::unavailable));
        return confirmed ? text_response(Status::ok, "confirmed\n")
                         : text_response(Status::service_unavailable, "not confirmed, retry\n");
    }
    return answer_hook(kEndpoint, request, reading, refusals, services);
}

// SendGrid retries non-2xx for 72 hours: a bad signature is 403 (the key
// may be rotated meanwhile), the rest 400.
Response sendgrid_webhook(const Request& request, RouteServices& services) {
    constexpr std::string_view kEndpoint = "sendgrid";
    static const HookRefusals refusals{Status::forbidden, Status::bad_request, Status::bad_request,
                                       Status::bad_request};
    auto config = services.config();
    const auto& sendgrid = config->webhooks.sendgrid;
    if (!sendgrid.public_key) {
        return hook_not_configured(kEndpoint);
    }
    hooks::SendGridCheck check{sendgrid.public_key.get(), sendgrid.max_age};
    auto reading = hooks::read_sendgrid(request, check, std::chrono::system_clock::now());
    return answer_hook(kEndpoint, request, reading, refusals, services);
}

// Postmark signs nothing: wrong credentials are 401, as HTTP Basic says.
Response postmark_webhook(const Request& request, RouteServices& services) {
    constexpr std::string_view kEndpoint = "postmark";
    static const HookRefusals refusals{Status::unauthorized, Status::bad_request,
                                       Status::bad_request, Status::bad_request};
    auto config = services.config();
    const auto& postmark = config->webhooks.postmark;
    if (postmark.credentials.empty()) {
        return hook_not_configured(kEndpoint);
    }
    hooks::PostmarkCheck check{postmark.credentials.reveal(), postmark.allowed_sources};
    auto reading = hooks::read_postmark(request, check, std::chrono::system_clock::now());
    Response response = answer_hook(kEndpoint, request, reading, refusals, services);
    if (reading.verdict == hooks::HookVerdict::bad_signature) {
        response.headers.add("WWW-Authenticate", "Basic realm=\"fblweb\"");
    }
    return response;
}

}  // namespace fbl::web
