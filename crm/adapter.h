#pragma once

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "config/config.h"

// An adapter ready to run: the preset (if any) expanded into steps, the
// settings substituted, every placeholder checked against what will be known
// when the step runs. Built once per config; immutable.
namespace fbl::crm {

class AdapterError : public std::runtime_error {
    using std::runtime_error::runtime_error;
};

// A JSON Pointer whose `*` segments fan out over every element of an array
// (or every member of an object): "/value/*/PersonId".
struct Extraction {
    std::string variable;
    std::string pointer;
};

enum class Signing { none, standard_webhooks };

struct Step {
    std::string name;
    config::HttpMethod method = config::HttpMethod::get;
    std::string url;  // templates, settings already substituted
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    config::BodyFormat body_format = config::BodyFormat::json;
    std::vector<Extraction> extract;
    bool fail_on_empty = false;
    std::vector<int> success;
    std::vector<int> done;
    // Answer bodies that mean "already so" although the status says error
    // (e.g. HubSpot's 400 "already unsubscribed"); only presets set them.
    std::vector<std::string> done_body_contains;
};

// HTTP Basic authentication: the user, and the secret that is the password
// (read at each request, so a refreshed secret is used at once).
struct BasicAuth {
    std::string user;
    std::string password_secret;
};

struct Adapter {
    config::CrmAdapter config;  // limits, timeouts, retry, secrets
    std::vector<Step> steps;
    Signing signing = Signing::none;
    std::string signing_secret;  // name of the secret signing uses
    std::optional<BasicAuth> basic_auth;
};

// The template variables every job brings (see the outbox payload).
const std::vector<std::string>& job_variables();

// Throws AdapterError naming the adapter and the step on any mistake.
Adapter build_adapter(const config::CrmAdapter& config);
std::vector<Adapter> build_adapters(const config::CrmSettings& settings);
// The CRM adapters and the built-in ones the rest of the config asks for
// (the Mailgun blanket-stop lift, crm/mailgun_lift.h): what the worker runs.
std::vector<Adapter> build_adapters(const config::Config& config);

}  // namespace fbl::crm
