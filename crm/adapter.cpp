#include "crm/adapter.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "common/text.h"
#include "crm/job_payload.h"
#include "crm/mailgun_lift.h"
#include "crm/presets.h"
#include "crm/template.h"

namespace fbl::crm {
namespace {

Step step_from_config(const config::CrmStep& config) {
    Step step;
    step.name = config.name;
    step.method = config.method;
    step.url = config.url;
    step.headers.assign(config.headers.begin(), config.headers.end());
    step.body = config.body;
    step.body_format = config.body_format;
    for (const auto& [variable, pointer] : config.extract) {
        step.extract.push_back({variable, pointer});
    }
    step.fail_on_empty = config.on_empty == config::EmptyResult::fail;
    step.success = config.success;
    step.done = config.done;
    return step;
}

// Settings are parts of the URL (a base URL, an OData filter with its own
// placeholders), so they go into URL templates verbatim, before rendering.
// Elsewhere they are values like any other and are escaped when rendered.
std::string expand_settings(const std::string& url,
                            const std::map<std::string, std::string>& settings) {
    Lookup lookup = [&](const std::string& name) -> std::optional<std::string> {
        if (auto it = settings.find(name); it != settings.end()) {
            return it->second;
        }
        return std::nullopt;
    };
    return expand_known(expand_known(url, lookup), lookup);
}

class Checker {
  public:
    Checker(const config::CrmAdapter& config, const std::map<std::string, std::string>& settings)
        : config_(config), settings_(settings) {
        known_.insert(job_variables().begin(), job_variables().end());
        known_.insert("idempotency_key");
        for (const auto& [name, value] : settings) {
            known_.insert(name);
        }
        for (const auto& [name, secret] : config.secrets) {
            known_.insert("secret." + name);
        }
    }

    void check(const Step& step, const std::string& where, const std::string& text) {
        for (const auto& placeholder : placeholders(text)) {
            if (!placeholder.modifier.empty() && placeholder.modifier != "odata" &&
                placeholder.modifier != "soql") {
                fail(step, where,
                     fmt::format("unknown modifier '{}' (known: odata, soql)",
                                 placeholder.modifier));
            }
            if (!known_.contains(placeholder.name)) {
                fail(step, where,
                     fmt::format("unknown placeholder {{{}}} (known here: {})", placeholder.name,
                                 fmt::join(known_, ", ")));
            }
        }
    }

    void learn(const Step& step) {
        for (const auto& extraction : step.extract) {
            known_.insert(extraction.variable);
        }
    }

    [[noreturn]] void fail(const Step& step, const std::string& where, const std::string& message) {
        throw AdapterError(fmt::format("crm adapter '{}', step '{}', {}: {}", config_.name,
                                       step.name, where, message));
    }

  private:
    const config::CrmAdapter& config_;
    const std::map<std::string, std::string>& settings_;
    std::set<std::string> known_;
};

bool is_plain_http(std::string_view url) {
    constexpr std::string_view kScheme = "http://";
    return text::iequals(url.substr(0, kScheme.size()), kScheme);
}

void check_steps(const Adapter& adapter, const std::map<std::string, std::string>& settings) {
    Checker checker(adapter.config, settings);
    for (const auto& step : adapter.steps) {
        checker.check(step, "url", step.url);
        checker.check(step, "body", step.body);
        for (const auto& [name, value] : step.headers) {
            checker.check(step, "header " + name, value);
        }
        if (step.url.find("://") == std::string::npos) {
            checker.fail(step, "url", "'" + step.url + "' is not an absolute http(s) URL");
        }
        if (is_plain_http(step.url) && !adapter.config.allow_insecure) {
            checker.fail(step, "url",
                         "'" + step.url +
                             "' is plain http: addresses and credentials would travel in "
                             "clear; use https, or set allow_insecure: true on this adapter");
        }
        checker.learn(step);
    }
}

void apply_preset(const config::CrmAdapter& config, Adapter& adapter,
                  std::map<std::string, std::string>& settings) {
    auto preset = find_preset(config.preset);
    if (!preset) {
        throw AdapterError(fmt::format("crm adapter '{}': unknown preset '{}' (known: {})",
                                       config.name, config.preset,
                                       fmt::join(preset_names(), ", ")));
    }
    if (!config.steps.empty()) {
        throw AdapterError(
            fmt::format("crm adapter '{}': give a preset or steps, not both", config.name));
    }
    for (const auto& [name, value] : preset->default_settings) {
        settings.try_emplace(name, value);
    }
    for (const auto& name : preset->required_settings) {
        if (settings[name].empty()) {
            throw AdapterError(fmt::format("crm adapter '{}': preset {} needs settings.{}",
                                           config.name, config.preset, name));
        }
    }
    for (const auto& name : preset->required_secrets) {
        if (!config.secrets.contains(name)) {
            throw AdapterError(fmt::format(
                "crm adapter '{}': preset {} needs secrets.{} (value_file or value_env)",
                config.name, config.preset, name));
        }
    }
    adapter.steps = preset->steps;
    adapter.signing = preset->signing;
    adapter.signing_secret = preset->signing_secret;
}

}  // namespace

const std::vector<std::string>& job_variables() {
    return JobPayload::field_names();
}

Adapter build_adapter(const config::CrmAdapter& config) {
    Adapter adapter;
    adapter.config = config;
    auto& settings = adapter.config.settings;
    for (const auto& name : job_variables()) {
        if (settings.contains(name)) {
            throw AdapterError(
                fmt::format("crm adapter '{}': settings.{} would hide the job variable {{{}}}",
                            config.name, name, name));
        }
    }
    if (!config.preset.empty()) {
        apply_preset(config, adapter, settings);
    } else {
        std::transform(config.steps.begin(), config.steps.end(), std::back_inserter(adapter.steps),
                       step_from_config);
    }
    if (auto it = settings.find("signing"); it != settings.end()) {
        if (it->second != "standard-webhooks") {
            throw AdapterError(
                fmt::format("crm adapter '{}': settings.signing '{}' is not 'standard-webhooks'",
                            config.name, it->second));
        }
        adapter.signing = Signing::standard_webhooks;
        adapter.signing_secret = "signing_secret";
    }
    if (adapter.signing != Signing::none && !config.secrets.contains(adapter.signing_secret)) {
        throw AdapterError(fmt::format("crm adapter '{}': signing needs secrets.{}", config.name,
                                       adapter.signing_secret));
    }
    for (std::size_t i = 0; i < adapter.steps.size(); ++i) {
        auto& step = adapter.steps[i];
        if (step.name.empty()) {
            step.name = "step " + std::to_string(i + 1);
        }
        step.url = expand_settings(step.url, settings);
    }
    check_steps(adapter, settings);
    return adapter;
}

std::vector<Adapter> build_adapters(const config::CrmSettings& settings) {
    std::vector<Adapter> adapters;
    for (const auto& config : settings.adapters) {
        adapters.push_back(build_adapter(config));
    }
    return adapters;
}

std::vector<Adapter> build_adapters(const config::Config& config) {
    auto adapters = build_adapters(config.crm);
    if (auto lift = mailgun_lift_adapter(config.webhooks.mailgun)) {
        adapters.push_back(std::move(*lift));
    }
    return adapters;
}

}  // namespace fbl::crm
