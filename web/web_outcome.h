#pragma once

#include <string_view>

// How a one-click or webhook request ended: the values of the outcome label
// of fblweb_requests_total and the word in the log line. A fixed set, so a
// stranger's bytes never become a label.
namespace fbl::web {

enum class WebOutcome {
    committed,         // a new complaint or unsubscribe is durable
    duplicate,         // taken before: nothing changed, answered as a success
    replayed,          // a signed request seen before: refused
    ignored,           // verified, not an event we act on
    bad_token,         // /u/: not a token we signed
    expired_token,     // /u/: ours, past unsubscribe.token_lifetime
    bad_signature,     // a webhook not signed (or authenticated) with our secret
    stale,             // signed, outside the window
    malformed,         // not the shape the provider documents
    unknown_topic,     // SES: a topic not in webhooks.ses.topic_arns
    forbidden_source,  // Postmark: from outside the allowed networks
    not_stored,        // verified, but the address does not normalise
    unavailable,       // the store could not commit: 503, the sender retries
    rate_limited,      // 429
    not_configured,    // the endpoint has no secret configured
    confirmed,         // SES: subscription confirmed
    page_shown,        // /u/: the GET page
};

constexpr std::string_view to_string(WebOutcome outcome) {
    switch (outcome) {
        case WebOutcome::committed:
            return "committed";
        case WebOutcome::duplicate:
            return "duplicate";
        case WebOutcome::replayed:
            return "replayed";
        case WebOutcome::ignored:
            return "ignored";
        case WebOutcome::bad_token:
            return "bad_token";
        case WebOutcome::expired_token:
            return "expired_token";
        case WebOutcome::bad_signature:
            return "bad_signature";
        case WebOutcome::stale:
            return "stale";
        case WebOutcome::malformed:
            return "malformed";
        case WebOutcome::unknown_topic:
            return "unknown_topic";
        case WebOutcome::forbidden_source:
            return "forbidden_source";
        case WebOutcome::not_stored:
            return "not_stored";
        case WebOutcome::unavailable:
            return "unavailable";
        case WebOutcome::rate_limited:
            return "rate_limited";
        case WebOutcome::not_configured:
            return "not_configured";
        case WebOutcome::confirmed:
            return "confirmed";
        case WebOutcome::page_shown:
            return "page_shown";
    }
    return "unknown";
}

}  // namespace fbl::web
