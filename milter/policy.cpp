#include "milter/policy.h"

#include <algorithm>

#include <re2/re2.h>

#include "common/text.h"

namespace fbl::milter {
namespace {

bool contains_ignoring_case(const std::vector<std::string>& list, const std::string& value) {
    return std::any_of(list.begin(), list.end(),
                       [&](const std::string& item) { return text::iequals(item, value); });
}

}  // namespace

bool is_postfix_local_submission(const Client& client) {
    return client.port == 0 && client.hostname == "localhost" && client.address == "127.0.0.1";
}

Direction decide_direction(const config::OutboundSettings& outbound,
                           const ConnectionFacts& connection, const EnvelopeFacts& envelope) {
    if (connection.local_submission) {
        return Direction::outbound;
    }
    if (outbound.authenticated && !envelope.auth_user.empty()) {
        return Direction::outbound;
    }
    if (!connection.daemon_name.empty() &&
        contains_ignoring_case(outbound.daemon_names, connection.daemon_name)) {
        return Direction::outbound;
    }
    auto address = config::Network::parse_address(connection.client_address);
    if (address && std::any_of(outbound.networks.begin(), outbound.networks.end(),
                               [&](const config::Network& n) { return n.contains(*address); })) {
        return Direction::outbound;
    }
    return Direction::inbound;
}

bool is_marketing_by_envelope(const config::MarketingRules& rules, const EnvelopeFacts& envelope) {
    if (!envelope.auth_user.empty() &&
        contains_ignoring_case(rules.auth_users, envelope.auth_user)) {
        return true;
    }
    auto domain = text::domain_of(envelope.sender);
    return !domain.empty() && contains_ignoring_case(rules.sender_domains, domain);
}

bool is_marketing_by_headers(const config::MarketingRules& rules, const HeaderList& headers) {
    for (const auto& [name, value] : headers) {
        if (contains_ignoring_case(rules.headers_present, name)) {
            return true;
        }
        for (const auto& match : rules.header_matches) {
            if (match.compiled && text::iequals(match.header, name) &&
                re2::RE2::PartialMatch(value, *match.compiled)) {
                return true;
            }
        }
    }
    return false;
}

RcptAction decide_rcpt(const config::OutboundSettings& outbound, const RcptFacts& facts) {
    if (!facts.suppressed) {
        return RcptAction::deliver;
    }
    bool blocks_everything = facts.entry_scope == suppression::Scope::all ||
                             outbound.scope == config::EnforcementScope::all;
    bool decided_now = blocks_everything || facts.marketing_by_envelope;
    if (facts.non_smtpd) {
        // Postfix treats a rejected simulated RCPT as a configuration error
        // and keeps the mail queued; removal at end of message is the way.
        if (outbound.non_smtpd == config::NonSmtpdHandling::ignore) {
            return RcptAction::deliver;
        }
        return decided_now ? RcptAction::remove_at_eom : RcptAction::decide_at_eom;
    }
    return decided_now ? RcptAction::reject_now : RcptAction::decide_at_eom;
}

}  // namespace fbl::milter
