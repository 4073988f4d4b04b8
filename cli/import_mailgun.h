#pragma once

#include <optional>

#include "cli/context.h"
#include "suppression/change_feed.h"

// `fblctl import --from mailgun`: Mailgun's complaints list (every page of
// webhooks.mailgun.api's domain) into our store as complaint suppressions,
// in one transaction: all the addresses or none.
namespace fbl::cli {

inline constexpr const char* kMailgunImportSource = "mailgun-import";

struct MailgunImportOptions {
    suppression::Scope scope = suppression::Scope::marketing;
    std::optional<suppression::TimePoint> expires_at;
    bool dry_run = false;
    bool skip_invalid = false;  // import the others when an address does not normalise
};

int run_mailgun_import(Context& context, const MailgunImportOptions& options);

}  // namespace fbl::cli
