#include <algorithm>
#include <fstream>
#include <iostream>
#include <unordered_set>

#include "cli/csv_reader.h"
#include "cli/import_mailgun.h"
#include "cli/progress.h"
#include "cli/suppression_commands.h"
#include "common/dates.h"
#include "common/text.h"

namespace fbl::cli {

using dates::parse_expiry;
namespace {

using store::Suppression;
using suppression::AddressNormalizer;
using suppression::TimePoint;

constexpr std::size_t kErrorsShown = 20;

struct ImportArguments {
    std::string file;
    std::string from;  // "mailgun", or empty for a file
    std::string reason = "import";
    std::string scope = "marketing";
    std::string expires;
    bool dry_run = false;
    bool skip_invalid = false;
};

enum class Column { address, reason, scope, expires, note, mailing };

std::optional<Column> column_named(std::string name) {
    name = text::ascii_lower(name);
    name.erase(0, name.find_first_not_of(" \t"));
    name.erase(name.find_last_not_of(" \t") + 1);
    if (name == "address" || name == "email" || name == "e-mail") {
        return Column::address;
    }
    if (name == "reason") {
        return Column::reason;
    }
    if (name == "scope") {
        return Column::scope;
    }
    if (name == "expires") {
        return Column::expires;
    }
    if (name == "note") {
        return Column::note;
    }
    if (name == "mailing" || name == "mailing_id") {
        return Column::mailing;
    }
    return std::nullopt;
}

class LineErrors {
  public:
    void add(std::size_t line, const std::string& message) {
        if (count_++ < kErrorsShown) {
            complain("import", "line " + std::to_string(line) + ": " + message);
        }
    }
    std::size_t count() const { return count_; }
    void summarize() const {
        if (count_ > kErrorsShown) {
            complain("import", std::to_string(count_ - kErrorsShown) + " more bad lines not shown");
        }
    }

  private:
    std::size_t count_ = 0;
};

struct Defaults {
    store::Reason reason;
    suppression::Scope scope;
    std::optional<TimePoint> expires_at;
    std::string source;
    TimePoint now;
};

// The expiry for entries without one: --expires, else suppression.default_expiry.
bool import_expiry(Context& context, const ImportArguments& arguments, Defaults& defaults) {
    if (!arguments.expires.empty()) {
        auto expiry = parse_expiry(arguments.expires, defaults.now);
        if (!expiry) {
            complain("import",
                     "--expires: '" + arguments.expires + "' is not a duration, a date or never");
            return false;
        }
        defaults.expires_at = *expiry;
    } else if (auto default_expiry = context.config().suppression.default_expiry) {
        defaults.expires_at = defaults.now + *default_expiry;
    }
    return true;
}

// Turns one record into an entry; returns an error text when it is bad.
std::string make_entry(const std::vector<Column>& columns, const std::vector<std::string>& fields,
                       const AddressNormalizer& normalizer, const Defaults& defaults,
                       Suppression& entry) {
    if (fields.size() != columns.size()) {
        return std::to_string(fields.size()) + " fields, the header has " +
               std::to_string(columns.size());
    }
    entry = {};
    entry.reason = defaults.reason;
    entry.scope = defaults.scope;
    entry.expires_at = defaults.expires_at;
    entry.source = defaults.source;
    entry.first_at = defaults.now;
    entry.last_at = defaults.now;
    for (std::size_t i = 0; i < columns.size(); ++i) {
        const std::string& value = fields[i];
        switch (columns[i]) {
            case Column::address: {
                auto normalized = normalizer.normalize(value);
                if (!normalized.ok()) {
                    return "'" + value + "': " + normalized.error;
                }
                entry.key = normalized.key;
                entry.address = value;
                break;
            }
            case Column::reason:
                if (!value.empty()) {
                    auto reason = store::parse_reason(value);
                    if (!reason) {
                        return "unknown reason '" + value + "'";
                    }
                    entry.reason = *reason;
                }
                break;
            case Column::scope:
                if (!value.empty()) {
                    auto scope = store::parse_scope(value);
                    if (!scope) {
                        return "unknown scope '" + value + "' (marketing or all)";
                    }
                    entry.scope = *scope;
                }
                break;
            case Column::expires:
                if (!value.empty()) {
                    auto expiry = parse_expiry(value, defaults.now);
                    if (!expiry) {
                        return "expires: '" + value + "' is not a duration, a date or never";
                    }
                    entry.expires_at = *expiry;
                }
                break;
            case Column::note:
                entry.note = value;
                break;
            case Column::mailing:
                entry.mailing_id = value;
                break;
        }
    }
    return {};
}

std::optional<std::vector<Column>> read_header(CsvReader& reader, const std::string& file) {
    std::vector<std::string> fields;
    std::string error;
    if (!reader.next(fields, error)) {
        complain("import",
                 file + ": " + (error.empty() ? "the file is empty" : "line 1: " + error));
        return std::nullopt;
    }
    std::vector<Column> columns;
    for (const auto& name : fields) {
        auto column = column_named(name);
        if (!column) {
            complain(
                "import",
                "line 1: unknown column '" + name +
                    "' (the header names address, and optionally reason, scope, expires, note, "
                    "mailing)");
            return std::nullopt;
        }
        if (std::find(columns.begin(), columns.end(), *column) != columns.end()) {
            complain("import", "line 1: column '" + name + "' appears twice");
            return std::nullopt;
        }
        columns.push_back(*column);
    }
    if (std::find(columns.begin(), columns.end(), Column::address) == columns.end()) {
        complain("import", "line 1: the header names no 'address' column");
        return std::nullopt;
    }
    return columns;
}

int run_import(Context& context, const ImportArguments& arguments) {
    std::ifstream in(arguments.file, std::ios::binary);
    if (!in) {
        complain("import", "cannot read " + arguments.file);
        return kExitUsage;
    }
    Defaults defaults{*store::parse_reason(arguments.reason), *store::parse_scope(arguments.scope),
                      std::nullopt, "import:" + arguments.file, std::chrono::system_clock::now()};
    if (!import_expiry(context, arguments, defaults)) {
        return kExitDataErr;
    }
    AddressNormalizer normalizer(context.config().suppression);
    CsvReader reader(in);
    auto columns = read_header(reader, arguments.file);
    if (!columns) {
        return kExitDataErr;
    }

    std::vector<Suppression> entries;
    std::unordered_set<std::string> seen;
    std::size_t duplicates = 0;
    LineErrors errors;
    std::vector<std::string> fields;
    std::string error;
    Suppression entry;
    auto progress = stderr_progress("import");
    for (;; progress.advance()) {
        if (!reader.next(fields, error)) {
            if (!error.empty()) {
                errors.add(reader.line(), error);  // the rest of the file cannot be framed
            }
            break;
        }
        if (fields.size() == 1 && fields[0].empty()) {
            continue;  // blank line
        }
        if (auto problem = make_entry(*columns, fields, normalizer, defaults, entry);
            !problem.empty()) {
            errors.add(reader.line(), problem);
            continue;
        }
        if (!seen.insert(entry.key).second) {
            ++duplicates;  // the first line for an address wins
            continue;
        }
        entries.push_back(std::move(entry));
    }
    progress.finish();
    errors.summarize();
    if (errors.count() > 0 && !arguments.skip_invalid) {
        complain("import", std::to_string(errors.count()) +
                               " bad lines: nothing imported (fix them, or pass --skip-invalid)");
        return kExitDataErr;
    }
    std::string summary = std::to_string(entries.size()) + " addresses";
    if (duplicates > 0) {
        summary += ", " + std::to_string(duplicates) + " repeated lines merged";
    }
    if (errors.count() > 0) {
        summary += ", " + std::to_string(errors.count()) + " bad lines skipped";
    }
    if (arguments.dry_run) {
        std::cout << "dry run: would import " << summary << '\n';
        return kExitOk;
    }
    context.writable_store().add_all(entries);
    std::cout << "imported " << summary << '\n';
    return kExitOk;
}

int run_import_from(Context& context, const ImportArguments& arguments) {
    if (arguments.from.empty() == arguments.file.empty()) {
        complain("import", "give a CSV file or --from mailgun (one of them)");
        return kExitUsage;
    }
    if (arguments.file.empty()) {
        Defaults defaults{store::Reason::complaint, *store::parse_scope(arguments.scope),
                          std::nullopt, kMailgunImportSource, std::chrono::system_clock::now()};
        if (!import_expiry(context, arguments, defaults)) {
            return kExitDataErr;
        }
        return run_mailgun_import(context, {defaults.scope, defaults.expires_at, arguments.dry_run,
                                            arguments.skip_invalid});
    }
    return run_import(context, arguments);
}

}  // namespace

void add_import_command(CLI::App& app, Context& context, Action& action) {
    auto arguments = std::make_shared<ImportArguments>();
    auto* command =
        app.add_subcommand("import",
                           "bulk suppress from a CSV file with a header row "
                           "(address[,reason,scope,expires,note,mailing]), or from "
                           "Mailgun's complaints list (--from mailgun); all or nothing");
    command->add_option("file", arguments->file, "the CSV file");
    command
        ->add_option("--from", arguments->from,
                     "mailgun: read the complaints list of webhooks.mailgun.api instead of a "
                     "file (reason complaint, source mailgun-import)")
        ->check(CLI::IsMember({"mailgun"}));
    command->add_option("--reason", arguments->reason, "reason for rows without one")
        ->check(CLI::IsMember(kReasonNames))
        ->default_str("import");
    command->add_option("--scope", arguments->scope, "scope for rows without one: marketing or all")
        ->check(CLI::IsMember(kScopeNames))
        ->default_str("marketing");
    command->add_option("--expires", arguments->expires,
                        "expiry for rows without one: DURATION, DATE or never; default: "
                        "suppression.default_expiry");
    command->add_flag("--dry-run", arguments->dry_run, "check the file and report, change nothing");
    command->add_flag("--skip-invalid", arguments->skip_invalid,
                      "import the good lines even when some are bad");
    command->callback([&, arguments] {
        action = [&, arguments] { return run_import_from(context, *arguments); };
    });
}

}  // namespace fbl::cli
