#include "crm/presets.h"

#include <array>

namespace fbl::crm {
namespace {

Step step(std::string name, config::HttpMethod method, std::string url) {
    Step result;
    result.name = std::move(name);
    result.method = method;
    result.url = std::move(url);
    result.body_format = config::BodyFormat::json;
    return result;
}

// SuperOffice CRM Online / onsite REST API: look the person(s) up by e-mail
// address, then withdraw the marketing consent of each. The OData filter is a
// setting because tenants store addresses differently.
Preset superoffice() {
    Preset preset;
    preset.name = "superoffice";
    std::vector<std::pair<std::string, std::string>> headers{
        {"Authorization", "{auth_scheme} {secret.token}"},
        {"SO-AppToken", "{secret.app_token}"},
        {"Accept", "application/json"},
    };
    auto lookup = step("find-person", config::HttpMethod::get,
                       "{base}/api/v1/Person?$select=personId&$filter={filter}");
    lookup.headers = headers;
    lookup.extract = {{"person_id", "/value/*/personId"}};
    lookup.success = {200};
    auto revoke = step("revoke-consent", config::HttpMethod::delete_,
                       "{base}/api/v1/Person/{person_id}/Consent/{purpose}");
    revoke.headers = headers;
    revoke.success = {200, 204};
    revoke.done = {404};
    preset.steps = {lookup, revoke};
    preset.default_settings = {{"filter", "email/emailAddress eq '{odata:email}'"},
                               {"purpose", "EMARKETING"},
                               {"auth_scheme", "SOTicket"}};
    preset.required_settings = {"base"};
    preset.required_secrets = {"token", "app_token"};
    return preset;
}

// One JSON event POSTed to any URL, signed per Standard Webhooks.
Preset webhook() {
    Preset preset;
    preset.name = "webhook";
    auto deliver = step("deliver", config::HttpMethod::post, "{url}");
    deliver.headers = {{"Content-Type", "application/json"}};
    deliver.body =
        R"({"type":{event_type},"timestamp":{reported_at},"data":{"email":{email},)"
        R"("reason":{reason},"feedback_type":{feedback_type},"reported_at":{reported_at},)"
        R"("mailing_id":{mailing_id},"complaint_id":{complaint_id}}})";
    deliver.success = {200, 201, 202, 204};
    preset.steps = {deliver};
    preset.default_settings = {{"event_type", "consent.revoked"}};
    preset.required_settings = {"url"};
    preset.required_secrets = {"signing_secret"};
    preset.signing = Signing::standard_webhooks;
    preset.signing_secret = "signing_secret";
    return preset;
}

// HubSpot communication preferences: unsubscribe the address from one
// subscription type. HubSpot answers 400 "already unsubscribed" when it is.
Preset hubspot() {
    Preset preset;
    preset.name = "hubspot";
    auto unsubscribe = step("unsubscribe", config::HttpMethod::post,
                            "{base}/communication-preferences/v3/unsubscribe");
    unsubscribe.headers = {{"Authorization", "Bearer {secret.token}"},
                           {"Content-Type", "application/json"}};
    unsubscribe.body =
        R"({"emailAddress":{email},"subscriptionId":{subscription_id},)"
        R"("legalBasis":{legal_basis},"legalBasisExplanation":{legal_basis_explanation}})";
    unsubscribe.success = {200};
    unsubscribe.done = {404};
    unsubscribe.done_body_contains = {"already unsubscribed"};
    preset.steps = {unsubscribe};
    preset.default_settings = {
        {"base", "https://api.hubapi.com"},
        {"legal_basis", "LEGITIMATE_INTEREST_OTHER"},
        {"legal_basis_explanation", "The recipient reported our mail as spam."}};
    preset.required_settings = {"subscription_id"};
    preset.required_secrets = {"token"};
    return preset;
}

// Brevo (Sendinblue): blocklist the contact for e-mail campaigns.
Preset brevo() {
    Preset preset;
    preset.name = "brevo";
    auto blocklist = step("blocklist", config::HttpMethod::put, "{base}/v3/contacts/{email}");
    blocklist.headers = {{"api-key", "{secret.api_key}"},
                         {"Content-Type", "application/json"},
                         {"Accept", "application/json"}};
    blocklist.body = R"({"emailBlacklisted":true})";
    blocklist.success = {200, 204};
    blocklist.done = {404};
    preset.steps = {blocklist};
    preset.default_settings = {{"base", "https://api.brevo.com"}};
    preset.required_secrets = {"api_key"};
    return preset;
}

// The one list of shipped presets: find_preset, preset_names (the config
// error that lists them) and the docs check (tests/crm) all read it.
struct PresetEntry {
    const char* name;
    Preset (*make)();
};
constexpr std::array kPresets{
    PresetEntry{"superoffice", superoffice},
    PresetEntry{"webhook", webhook},
    PresetEntry{"hubspot", hubspot},
    PresetEntry{"brevo", brevo},
};

}  // namespace

std::optional<Preset> find_preset(const std::string& name) {
    for (const PresetEntry& entry : kPresets) {
        if (name == entry.name) {
            return entry.make();
        }
    }
    return std::nullopt;
}

std::vector<std::string> preset_names() {
    std::vector<std::string> names;
    for (const PresetEntry& entry : kPresets) {
        names.emplace_back(entry.name);
    }
    return names;
}

}  // namespace fbl::crm
