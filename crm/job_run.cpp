#include "crm/job_run.h"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/text.h"
#include "crm/job_payload.h"
#include "crm/signing.h"
#include "crm/template.h"

namespace fbl::crm {
namespace {

using Json = nlohmann::json;

constexpr std::size_t kTranscriptBodyLimit = 4096;

std::string scalar_text(const Json& value) {
    return value.is_string() ? value.get<std::string>() : value.dump();
}

std::string unescape_segment(std::string segment) {
    for (auto at = segment.find("~1"); at != std::string::npos; at = segment.find("~1", at + 1)) {
        segment.replace(at, 2, "/");
    }
    for (auto at = segment.find("~0"); at != std::string::npos; at = segment.find("~0", at + 1)) {
        segment.replace(at, 2, "~");
    }
    return segment;
}

void collect(const Json& node, const std::vector<std::string>& segments, std::size_t index,
             std::vector<std::string>& out) {
    if (index == segments.size()) {
        if (!node.is_null()) {
            out.push_back(scalar_text(node));
        }
        return;
    }
    const auto& segment = segments[index];
    if (segment == "*" && (node.is_array() || node.is_object())) {
        for (const auto& child : node) {
            collect(child, segments, index + 1, out);
        }
    } else if (node.is_object()) {
        if (auto it = node.find(segment); it != node.end()) {
            collect(*it, segments, index + 1, out);
        }
    } else if (node.is_array() && !segment.empty() &&
               std::all_of(segment.begin(), segment.end(), ::isdigit)) {
        auto position = std::stoul(segment);
        if (position < node.size()) {
            collect(node[position], segments, index + 1, out);
        }
    }
}

Context body_context(config::BodyFormat format) {
    switch (format) {
        case config::BodyFormat::json:
            return Context::json;
        case config::BodyFormat::form:
            return Context::form;
        case config::BodyFormat::text:
            return Context::text;
    }
    return Context::text;
}

const char* content_type(config::BodyFormat format) {
    switch (format) {
        case config::BodyFormat::json:
            return "application/json";
        case config::BodyFormat::form:
            return "application/x-www-form-urlencoded";
        case config::BodyFormat::text:
            return "text/plain; charset=utf-8";
    }
    return "text/plain; charset=utf-8";
}

bool has_header(const std::vector<std::pair<std::string, std::string>>& headers,
                std::string_view name) {
    return std::any_of(headers.begin(), headers.end(),
                       [&](const auto& header) { return text::iequals(header.first, name); });
}

std::string status_text(const HttpResponse& response) {
    return response.status == 0 ? "no answer: " + response.error
                                : "HTTP " + std::to_string(response.status);
}

}  // namespace

std::vector<std::string> extract_values(const std::string& json_text, const std::string& pointer) {
    auto document = Json::parse(json_text, nullptr, false);
    if (document.is_discarded()) {
        throw std::invalid_argument("the answer is not JSON");
    }
    std::vector<std::string> segments;
    for (std::size_t start = 1; start <= pointer.size();) {
        auto end = pointer.find('/', start);
        if (end == std::string::npos) {
            end = pointer.size();
        }
        segments.push_back(unescape_segment(pointer.substr(start, end - start)));
        start = end + 1;
    }
    std::vector<std::string> values;
    collect(document, segments, 0, values);
    return values;
}

JobRun::JobRun(const Adapter& adapter, store::OutboxJob job, SecretStore& secrets,
               const Redactor& redactor)
    : adapter_(adapter), job_(std::move(job)), secrets_(secrets), redactor_(redactor) {
    Branch first;
    first.variables = JobPayload::from_json(job_.payload_json).variables();
    first.variables["idempotency_key"] = job_.idempotency_key;
    branches_.push_back(std::move(first));
}

std::string JobRun::render(const std::string& text, Context context,
                           const Variables& variables) const {
    return crm::render(text, context, [&](const std::string& name) -> std::optional<std::string> {
        if (name.starts_with("secret.")) {
            const auto* value = secrets_.find(name.substr(7));
            return value ? std::optional(*value) : std::nullopt;
        }
        if (auto it = variables.find(name); it != variables.end()) {
            return it->second;
        }
        if (auto it = adapter_.config.settings.find(name); it != adapter_.config.settings.end()) {
            return it->second;
        }
        return std::nullopt;
    });
}

// The first request of a job carries the job's key; later steps add the step
// and the records they act on, so a fan-out sends one distinct, stable key
// per record, the same on every retry.
std::string JobRun::request_key(const Branch& branch) const {
    if (branch.step == 0) {
        return job_.idempotency_key;
    }
    std::string key = job_.idempotency_key + ":" + adapter_.steps[branch.step].name;
    for (std::size_t i = 0; i < branch.step; ++i) {
        for (const auto& extraction : adapter_.steps[i].extract) {
            key += ":" + branch.variables.at(extraction.variable);
        }
    }
    return key;
}

HttpRequest JobRun::request(Clock::time_point now) {
    const auto& branch = branches_.front();
    const auto& step = adapter_.steps[branch.step];
    const auto& config = adapter_.config;
    HttpRequest request;
    request.method = config::method_name(step.method);
    request.url = render(step.url, Context::url, branch.variables);
    request.body = render(step.body, body_context(step.body_format), branch.variables);
    for (const auto& [name, value] : step.headers) {
        request.headers.push_back(name + ": " + render(value, Context::header, branch.variables));
    }
    if (!request.body.empty() && !has_header(step.headers, "Content-Type")) {
        request.headers.push_back(std::string("Content-Type: ") + content_type(step.body_format));
    }
    auto key = request_key(branch);
    if (!config.idempotency_header.empty()) {
        request.headers.push_back(config.idempotency_header + ": " + key);
    }
    if (adapter_.signing == Signing::standard_webhooks) {
        auto timestamp = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch());
        const auto* secret = secrets_.find(adapter_.signing_secret);
        request.headers.push_back("webhook-id: " + key);
        request.headers.push_back("webhook-timestamp: " + std::to_string(timestamp.count()));
        request.headers.push_back("webhook-signature: " + webhook_signature(secret ? *secret : "",
                                                                            key, timestamp.count(),
                                                                            request.body));
    }
    request.connect_timeout = config.connect_timeout;
    request.total_timeout = config.request_timeout;
    request.ca_file = config.ca_file;
    request.ca_path = config.ca_path;
    if (const auto& basic = adapter_.basic_auth) {
        const auto* password = secrets_.find(basic->password_secret);
        request.basic_user = basic->user;
        request.basic_password = password ? *password : "";
    }
    note(fmt::format("{} {} {}", step.name, request.method, request.url));
    return request;
}

Verdict JobRun::answer(const HttpResponse& response) {
    auto branch = branches_.front();
    const auto& step = adapter_.steps[branch.step];
    note(
        fmt::format("  -> {}{}", status_text(response),
                    response.body.empty() ? "" : fmt::format(" ({} bytes)", response.body.size())));
    auto outcome = classify(response.status, step.success, step.done);
    bool done_by_body = false;
    if (outcome == Outcome::dead || outcome == Outcome::retry) {
        for (const auto& marker : step.done_body_contains) {
            if (response.status >= 400 && response.status < 500 &&
                response.body.find(marker) != std::string::npos) {
                outcome = Outcome::done;
                done_by_body = true;
            }
        }
    }
    switch (outcome) {
        case Outcome::success:
            return advance(branch, response);
        case Outcome::done:
            note_done(branch, response, done_by_body);
            branches_.pop_front();
            return next_or_complete();
        case Outcome::refresh:
            if (!refreshed_) {
                refreshed_ = true;
                bool changed = secrets_.refresh();
                note(changed ? "  credentials re-read: changed"
                             : "  credentials re-read: unchanged");
                return {Verdict::Kind::send, std::nullopt, ""};
            }
            return {Verdict::Kind::retry, std::nullopt,
                    redactor_.redact(step.name + ": HTTP 401 after re-reading the credentials")};
        case Outcome::retry: {
            std::optional<std::chrono::seconds> retry_after;
            if (!response.retry_after.empty()) {
                retry_after = parse_retry_after(response.retry_after, Clock::now());
            }
            return {Verdict::Kind::retry, retry_after,
                    redactor_.redact(step.name + ": " + status_text(response))};
        }
        case Outcome::dead:
            break;
    }
    return dead(step.name + ": " + status_text(response), response);
}

Verdict JobRun::advance(const Branch& branch, const HttpResponse& response) {
    const auto& step = adapter_.steps[branch.step];
    branches_.pop_front();
    std::vector<Variables> records{branch.variables};
    if (!step.extract.empty()) {
        std::map<std::string, std::vector<std::string>> values;
        std::size_t count = 0;
        try {
            for (const auto& extraction : step.extract) {
                auto& found = values[extraction.variable];
                found = extract_values(response.body, extraction.pointer);
                count = std::max(count, found.size());
                if (found.empty()) {
                    count = 0;
                    break;
                }
            }
        } catch (const std::invalid_argument& error) {
            return dead(step.name + ": " + error.what(), response);
        }
        if (count == 0) {
            if (step.fail_on_empty) {
                return dead(step.name + ": nothing found and on_empty is fail", response);
            }
            note("  nothing found: done");
            return next_or_complete();
        }
        records.assign(count, branch.variables);
        for (const auto& [variable, found] : values) {
            if (found.size() != 1 && found.size() != count) {
                return dead(step.name + ": extracted lists of different lengths", response);
            }
            for (std::size_t i = 0; i < count; ++i) {
                records[i][variable] = found.size() == 1 ? found[0] : found[i];
            }
        }
    }
    if (branch.step + 1 == adapter_.steps.size()) {
        found_ = true;
    }
    if (branch.step + 1 < adapter_.steps.size()) {
        for (auto it = records.rbegin(); it != records.rend(); ++it) {
            branches_.push_front(Branch{branch.step + 1, std::move(*it)});
        }
    }
    return next_or_complete();
}

void JobRun::note_done(const Branch& branch, const HttpResponse& response, bool by_body) {
    // "Already unsubscribed", another configured done code, or a 404 once an
    // earlier step reached the record: the CRM knows the person.
    if (by_body || response.status != 404 || branch.step > 0) {
        found_ = true;
    }
}

Verdict JobRun::next_or_complete() {
    if (branches_.empty()) {
        Verdict verdict{Verdict::Kind::complete, std::nullopt, ""};
        verdict.not_found = !found_;
        return verdict;
    }
    return {Verdict::Kind::send, std::nullopt, ""};
}

Verdict JobRun::dead(std::string error, const HttpResponse& response) {
    if (!response.body.empty()) {
        note("  answer: " + response.body.substr(0, kTranscriptBodyLimit));
    }
    return {Verdict::Kind::dead, std::nullopt, redactor_.redact(error)};
}

void JobRun::note(std::string line) {
    transcript_ += redactor_.redact(line);
    transcript_ += '\n';
}

}  // namespace fbl::crm
