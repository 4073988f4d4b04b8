#include "crm/mailgun_lift.h"

namespace fbl::crm {

std::optional<Adapter> mailgun_lift_adapter(const config::MailgunHookSettings& mailgun) {
    if (!mailgun.lift_blanket_stops) {
        return std::nullopt;
    }
    config::CrmStep lift;
    lift.name = "delete-complaint";
    lift.method = config::HttpMethod::delete_;
    lift.url = "{base}/v3/{domain}/complaints/{email}";
    lift.headers = {{"Accept", "application/json"}};
    lift.success = {200, 204};
    lift.done = {404};  // not on the list (any more)

    config::CrmAdapter settings;
    settings.name = std::string(kMailgunLiftAdapter);
    settings.settings = {{"base", mailgun.api.base_url}, {"domain", mailgun.api.domain}};
    settings.secrets = {{"api_key", mailgun.api.api_key}};
    settings.steps = {lift};
    // The loader lets plain http through only to a loopback host.
    settings.allow_insecure = mailgun.api.base_url.starts_with("http://");
    settings.idempotency_header.clear();  // a DELETE is idempotent by itself

    Adapter adapter = build_adapter(settings);
    adapter.basic_auth = BasicAuth{"api", "api_key"};
    return adapter;
}

}  // namespace fbl::crm
