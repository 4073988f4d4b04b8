#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"

// The report's own DKIM signature, verified with libopendkim (issue 7): a
// report counts as the provider's when a signature passes for one of the
// configured reporter domains.
namespace fbl::feedback_loop {

// At most this many reporter-domain signatures of one report are verified
// (each may cost a DNS query); the rest are ignored, as are signatures of
// other domains. Providers sign once or twice.
inline constexpr int kMaxDkimSignaturesChecked = 5;

// libopendkim's DNS timeout per key query. With kMaxDkimSignaturesChecked
// queries a report waits at most 25 s, well inside the default 60 s
// milter.timeout (and Postfix's milter_content_timeout).
inline constexpr std::chrono::seconds kDkimDnsTimeout{5};

struct DkimVerdict {
    bool passed = false;
    // No signature passed and at least one key could not be fetched for a
    // reason that may go away (DNS timeout, SERVFAIL): ask again later.
    bool temporary = false;
    std::string domain;  // d= of the passing reporter-domain signature
    std::string detail;  // why not, for the trust reason
};

// Keys come from DNS, or from settings.dkim_key_file (libopendkim's file
// query method: "selector._domainkey.domain v=DKIM1; k=rsa; p=..." lines) for
// tests and offline use. A key file that cannot be opened is a temporary
// failure, as an unreachable DNS server is.
DkimVerdict verify_reporter_dkim(std::string_view raw_message,
                                 const config::FeedbackSettings& settings);

// Exact match or a subdomain of a configured reporter domain.
bool is_reporter_domain(std::string_view domain, const config::FeedbackSettings& settings);

// Exact match or a subdomain of one of `domains` (case-insensitive).
bool domain_in(std::string_view domain, const std::vector<std::string>& domains);

}  // namespace fbl::feedback_loop
