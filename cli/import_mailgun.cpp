#include "cli/import_mailgun.h"

#include <iostream>
#include <unordered_set>

#include "cli/suppression_commands.h"
#include "crm/mailgun_complaints.h"

namespace fbl::cli {
namespace {

constexpr std::size_t kErrorsShown = 20;

struct Entries {
    std::vector<store::Suppression> suppressions;
    std::size_t duplicates = 0;
    std::size_t invalid = 0;
};

Entries make_entries(const std::vector<crm::MailgunComplaint>& complaints,
                     const suppression::AddressNormalizer& normalizer,
                     const MailgunImportOptions& options, suppression::TimePoint now) {
    Entries entries;
    std::unordered_set<std::string> seen;
    for (const auto& complaint : complaints) {
        auto normalized = normalizer.normalize(complaint.address);
        if (!normalized.ok()) {
            if (entries.invalid++ < kErrorsShown) {
                complain("import", "mailgun: '" + complaint.address + "': " + normalized.error);
            }
            continue;
        }
        if (!seen.insert(normalized.key).second) {
            ++entries.duplicates;
            continue;
        }
        store::Suppression entry;
        entry.key = normalized.key;
        entry.address = complaint.address;
        entry.reason = store::Reason::complaint;
        entry.scope = options.scope;
        entry.source = kMailgunImportSource;
        entry.first_at = complaint.created_at.value_or(now);
        entry.last_at = entry.first_at;
        entry.expires_at = options.expires_at;
        entries.suppressions.push_back(std::move(entry));
    }
    if (entries.invalid > kErrorsShown) {
        complain("import",
                 std::to_string(entries.invalid - kErrorsShown) + " more bad addresses not shown");
    }
    return entries;
}

}  // namespace

int run_mailgun_import(Context& context, const MailgunImportOptions& options) {
    const auto& api = context.config().webhooks.mailgun.api;
    if (!api.configured()) {
        complain("import", "--from mailgun needs webhooks.mailgun.api.domain and api_key_file in " +
                               context.config_path);
        return kExitConfig;
    }
    std::vector<crm::MailgunComplaint> complaints;
    try {
        complaints = crm::list_mailgun_complaints(api);
    } catch (const crm::MailgunApiError& error) {
        complain("import", std::string(error.what()) + ": nothing imported");
        return error.temporary() ? kExitTempFail : kExitDataErr;
    }
    suppression::AddressNormalizer normalizer(context.config().suppression);
    auto entries = make_entries(complaints, normalizer, options, std::chrono::system_clock::now());
    if (entries.invalid > 0 && !options.skip_invalid) {
        complain("import", std::to_string(entries.invalid) +
                               " bad addresses: nothing imported (pass --skip-invalid to import "
                               "the others)");
        return kExitDataErr;
    }
    std::string summary = std::to_string(entries.suppressions.size()) +
                          " addresses from Mailgun (" + api.domain + ")";
    if (entries.duplicates > 0) {
        summary += ", " + std::to_string(entries.duplicates) + " repeated addresses merged";
    }
    if (entries.invalid > 0) {
        summary += ", " + std::to_string(entries.invalid) + " bad addresses skipped";
    }
    if (options.dry_run) {
        std::cout << "dry run: would import " << summary << '\n';
        return kExitOk;
    }
    context.writable_store().add_all(entries.suppressions);
    std::cout << "imported " << summary << '\n';
    return kExitOk;
}

}  // namespace fbl::cli
