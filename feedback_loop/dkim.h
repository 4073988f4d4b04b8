#pragma once

#include <string>
#include <string_view>

#include "config/config.h"

// The report's own DKIM signature, verified with libopendkim (issue 7): a
// report counts as the provider's when a signature passes for one of the
// configured reporter domains.
namespace fbl::feedback_loop {

struct DkimVerdict {
    bool passed = false;
    std::string domain;  // d= of the passing reporter-domain signature
    std::string detail;  // why not, for the trust reason
};

// Keys come from DNS, or from settings.dkim_key_file (libopendkim's file
// query method: "selector._domainkey.domain v=DKIM1; k=rsa; p=..." lines) for
// tests and offline use.
DkimVerdict verify_reporter_dkim(std::string_view raw_message,
                                 const config::FeedbackSettings& settings);

// Exact match or a subdomain of a configured reporter domain.
bool is_reporter_domain(std::string_view domain, const config::FeedbackSettings& settings);

}  // namespace fbl::feedback_loop
