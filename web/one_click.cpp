#include "web/one_click.h"

#include <chrono>
#include <string>

#include "common/log.h"
#include "common/metrics.h"
#include "feedback_loop/unsubscribe_token.h"
#include "web/language.h"
#include "web/unsubscribe_pages.h"
#include "web/web_outcome.h"

namespace fbl::web {
namespace {

using feedback_loop::UnsubscribeCheck;
constexpr std::string_view kPrefix = "/u/";
constexpr std::string_view kEndpoint = "one-click";

Language language_of(const Request& request) {
    return preferred_language(request.headers.find("Accept-Language").value_or(""));
}

Response answered(WebOutcome outcome, UnsubscribePage page, Status status, const Request& request,
                  std::string_view address = {}) {
    metrics::global().web_request(kEndpoint, to_string(outcome));
    return unsubscribe_page(page, language_of(request), status, address);
}

struct TokenReading {
    UnsubscribeCheck check;
    std::shared_ptr<const config::Config> config;
};

TokenReading read_token(const Request& request, RouteServices& services) {
    TokenReading reading;
    reading.config = services.config();
    std::string_view token = request.path;
    token.remove_prefix(kPrefix.size());
    reading.check = feedback_loop::verify_unsubscribe(
        token, reading.config->feedback.reference_header.keys,
        reading.config->unsubscribe.token_lifetime, std::chrono::system_clock::now());
    return reading;
}

// The answer for a token that does not unsubscribe anybody; nullopt for a
// valid one.
std::optional<Response> refusal(const UnsubscribeCheck& check, const Request& request) {
    switch (check.status) {
        case UnsubscribeCheck::Status::valid:
            return std::nullopt;
        case UnsubscribeCheck::Status::expired:
            return answered(WebOutcome::expired_token, UnsubscribePage::expired, Status::not_found,
                            request);
        case UnsubscribeCheck::Status::malformed:
        case UnsubscribeCheck::Status::future:
            return answered(WebOutcome::bad_token, UnsubscribePage::invalid, Status::bad_request,
                            request);
        case UnsubscribeCheck::Status::unknown_key:
        case UnsubscribeCheck::Status::bad_tag:
            break;
    }
    return answered(WebOutcome::bad_token, UnsubscribePage::invalid, Status::not_found, request);
}

std::optional<Response> rate_limited(const Request& request, RouteServices& services,
                                     const config::Config& config) {
    const auto& limit = config.unsubscribe.rate_limit;
    if (services.rate_limiter.allow(request.client_address, {limit.per_second, limit.burst},
                                    RateLimiter::Clock::now())) {
        return std::nullopt;
    }
    Response response = answered(WebOutcome::rate_limited, UnsubscribePage::too_many,
                                 Status::too_many_requests, request);
    response.headers.add("Retry-After", "60");
    return response;
}

intake::VouchedEvent unsubscribe_event(const UnsubscribeCheck& check) {
    intake::VouchedEvent event;
    event.channel = store::Channel::one_click;
    event.kind = store::ComplaintKind::unsubscribe;
    event.recipient = check.claims.recipient;
    event.proof = "one-click token " + check.key_id;
    event.feedback_type = "one-click";
    event.mailing_id = check.claims.mailing_id;
    event.occurred_at = std::chrono::system_clock::now();
    event.detail = {{"token_issued_at", check.claims.issued_at}, {"key_id", check.key_id}};
    return event;
}

}  // namespace

Response one_click_page(const Request& request, RouteServices& services) {
    TokenReading reading = read_token(request, services);
    if (auto limited = rate_limited(request, services, *reading.config)) {
        return *limited;
    }
    if (auto refused = refusal(reading.check, request)) {
        return *refused;
    }
    return answered(WebOutcome::page_shown, UnsubscribePage::ask, Status::ok, request,
                    reading.check.claims.recipient);
}

Response one_click_unsubscribe(const Request& request, RouteServices& services) {
    TokenReading reading = read_token(request, services);
    if (auto limited = rate_limited(request, services, *reading.config)) {
        return *limited;
    }
    if (auto refused = refusal(reading.check, request)) {
        log::info("one-click: refused a {} token from {}",
                  feedback_loop::to_string(reading.check.status), request.client_address);
        return *refused;
    }
    Submission submission;
    submission.channel = store::Channel::one_click;
    submission.events.push_back(unsubscribe_event(reading.check));
    CommitAnswer answer = services.committer.commit(std::move(submission));
    if (answer.outcome != CommitOutcome::committed) {
        return answered(WebOutcome::unavailable, UnsubscribePage::unavailable,
                        Status::service_unavailable, request);
    }
    const intake::IntakeResult& result = answer.results.front();
    if (!result.stored) {
        log::warning("one-click: a token signed for {} stores nothing: {}",
                     log::address(reading.check.claims.recipient), result.reason);
        return answered(WebOutcome::not_stored, UnsubscribePage::invalid, Status::bad_request,
                        request);
    }
    if (!result.duplicate) {
        log::notice("one-click: {} unsubscribed (mailing {}, complaint {}, {} CRM job(s))",
                    log::address(reading.check.claims.recipient),
                    reading.check.claims.mailing_id.empty() ? "-" : reading.check.claims.mailing_id,
                    result.complaint_id, result.jobs);
    }
    return answered(result.duplicate ? WebOutcome::duplicate : WebOutcome::committed,
                    UnsubscribePage::done, Status::ok, request);
}

}  // namespace fbl::web
