#include "feedback_loop/trust.h"

namespace fbl::feedback_loop {
namespace {

const char* policy_name(config::TrustPolicy policy) {
    switch (policy) {
        case config::TrustPolicy::reference:
            return "reference";
        case config::TrustPolicy::dkim:
            return "dkim";
        case config::TrustPolicy::either:
            return "either";
        case config::TrustPolicy::any:
            return "any";
    }
    return "?";
}

}  // namespace

TrustDecision decide_trust(const FeedbackReport& /*report*/, const Resolution& /*resolution*/,
                           std::string_view /*raw_message*/,
                           const config::FeedbackSettings& settings) {
    if (settings.trust == config::TrustPolicy::any) {
        return {true, "trust: any (report not verified)"};
    }
    return {false, std::string("untrusted: trust policy '") + policy_name(settings.trust) +
                       "' needs a verified reference header or reporter DKIM signature; "
                       "none was verified"};
}

}  // namespace fbl::feedback_loop
