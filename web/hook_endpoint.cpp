#include "web/hook_endpoint.h"

#include "common/log.h"
#include "common/metrics.h"
#include "web/web_outcome.h"

namespace fbl::web {
namespace {

Response counted(std::string_view endpoint, WebOutcome outcome, Status status, std::string body) {
    metrics::global().web_request(endpoint, to_string(outcome));
    return text_response(status, std::move(body));
}

Response commit_events(std::string_view endpoint, const hooks::HookReading& reading,
                       const HookRefusals& refusals, RouteServices& services) {
    Submission submission;
    submission.channel = reading.events.front().channel;
    submission.events = reading.events;
    submission.replay_token = reading.replay_token;
    submission.replay_until = reading.replay_until;
    CommitAnswer answer = services.committer.commit(std::move(submission));
    switch (answer.outcome) {
        case CommitOutcome::replayed:
            log::info("{} webhook: refused a replayed request", endpoint);
            return counted(endpoint, WebOutcome::replayed, refusals.replayed, "replayed\n");
        case CommitOutcome::unavailable:
            return counted(endpoint, WebOutcome::unavailable, Status::service_unavailable,
                           "store unavailable, retry later\n");
        case CommitOutcome::committed:
            break;
    }
    int fresh = 0;
    for (std::size_t index = 0; index < answer.results.size(); ++index) {
        const intake::IntakeResult& result = answer.results[index];
        const intake::VouchedEvent& event = reading.events[index];
        if (!result.stored) {
            log::warning("{} webhook: {} stores nothing: {}", endpoint,
                         log::address(event.recipient), result.reason);
        } else if (!result.duplicate) {
            ++fresh;
            log::notice("{} webhook: {} {} (mailing {}, complaint {}, {} CRM job(s))", endpoint,
                        store::to_string(event.kind), log::address(event.recipient),
                        event.mailing_id.empty() ? "-" : event.mailing_id, result.complaint_id,
                        result.jobs);
        }
    }
    return counted(endpoint, fresh > 0 ? WebOutcome::committed : WebOutcome::duplicate, Status::ok,
                   "ok\n");
}

}  // namespace

Response answer_hook(std::string_view endpoint, const Request& request,
                     const hooks::HookReading& reading, const HookRefusals& refusals,
                     RouteServices& services) {
    switch (reading.verdict) {
        case hooks::HookVerdict::event:
            if (!reading.events.empty()) {
                return commit_events(endpoint, reading, refusals, services);
            }
            return counted(endpoint, WebOutcome::ignored, Status::ok, "ignored\n");
        case hooks::HookVerdict::ignored:
            return counted(endpoint, WebOutcome::ignored, Status::ok, "ignored\n");
        case hooks::HookVerdict::bad_signature:
            log::warning("{} webhook: refused from {}: {}", endpoint, request.client_address,
                         reading.why);
            return counted(endpoint, WebOutcome::bad_signature, refusals.bad_signature,
                           "signature not valid\n");
        case hooks::HookVerdict::stale:
            log::info("{} webhook: refused: {}", endpoint, reading.why);
            return counted(endpoint, WebOutcome::stale, refusals.stale, "stale\n");
        case hooks::HookVerdict::malformed:
            log::info("{} webhook: refused: {}", endpoint, reading.why);
            return counted(endpoint, WebOutcome::malformed, refusals.malformed, "malformed\n");
        case hooks::HookVerdict::forbidden_source:
            log::warning("{} webhook: refused from {}: {}", endpoint, request.client_address,
                         reading.why);
            return counted(endpoint, WebOutcome::forbidden_source, Status::forbidden,
                           "forbidden\n");
        case hooks::HookVerdict::unknown_topic:
            log::warning("{} webhook: refused from {}: {}", endpoint, request.client_address,
                         reading.why);
            return counted(endpoint, WebOutcome::unknown_topic, Status::forbidden,
                           "unknown topic\n");
        case hooks::HookVerdict::confirm_subscription:
            break;  // the SES endpoint confirms before it gets here
    }
    return counted(endpoint, WebOutcome::malformed, refusals.malformed, "malformed\n");
}

Response hook_not_configured(std::string_view endpoint) {
    metrics::global().web_request(endpoint, to_string(WebOutcome::not_configured));
    return text_response(Status::not_found, "not found\n");
}

}  // namespace fbl::web
