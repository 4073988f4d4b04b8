#include <fstream>
#include <iostream>
#include <optional>
#include <set>

#include "cli/progress.h"
#include "cli/reevaluate_command.h"
#include "cli/suppression_commands.h"
#include "common/dates.h"

namespace fbl::cli {

using dates::format_time;
namespace {

using store::Complaint;
using store::ComplaintFilter;
using suppression::AddressNormalizer;

struct ComplaintArguments {
    std::string since;
    std::string until;
    std::string mailing;
    std::string provider;
    std::string format = "table";
    bool untrusted = false;  // only reports that changed nothing (issue 7)
};

struct ExportArguments {
    ComplaintArguments filters;
    std::string addresses_file;
    std::string output;
    bool suppressions = false;
};

bool build_filter(const std::string& command, const ComplaintArguments& arguments,
                  ComplaintFilter& filter) {
    filter.mailing_id = arguments.mailing;
    filter.provider = arguments.provider;
    if (arguments.untrusted) {
        filter.trusted = false;
    }
    return parse_date_option(command, "--since", arguments.since, filter.since) &&
           parse_date_option(command, "--until", arguments.until, filter.until, true);
}

// One address per line; blank lines and "#" comments skipped, and a first
// line without "@" taken as a header. Bad lines are reported by number.
std::optional<std::vector<std::string>> read_address_file(const std::string& path,
                                                          const AddressNormalizer& normalizer) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        complain("export", "cannot read " + path);
        return std::nullopt;
    }
    std::vector<std::string> keys;
    std::string line;
    bool bad = false;
    for (std::size_t number = 1; std::getline(in, line); ++number) {
        if (!line.empty() && line.back() == '\r') {
            line.pop_back();
        }
        if (number == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) {
            line.erase(0, 3);
        }
        auto first = line.find_first_not_of(" \t");
        if (first == std::string::npos || line[first] == '#' ||
            (number == 1 && line.find('@') == std::string::npos)) {
            continue;
        }
        auto normalized = normalizer.normalize(line);
        if (!normalized.ok()) {
            complain("export", path + " line " + std::to_string(number) + ": " + normalized.error);
            bad = true;
            continue;
        }
        keys.push_back(normalized.key);
    }
    if (bad) {
        return std::nullopt;
    }
    return keys;
}

int run_complaints(Context& context, const ComplaintArguments& arguments) {
    ComplaintFilter filter;
    if (!build_filter("complaints", arguments, filter)) {
        return kExitDataErr;
    }
    return emit("complaints", *parse_format(arguments.format),
                complaint_records(context.store().complaints(filter)));
}

std::vector<store::Suppression> selected_suppressions(Context& context,
                                                      const ComplaintFilter& filter,
                                                      const std::vector<std::string>& keys) {
    store::SuppressionFilter list_filter;
    list_filter.since = filter.since;
    list_filter.mailing_id = filter.mailing_id;
    auto entries = context.store().list(list_filter);
    if (keys.empty()) {
        return entries;
    }
    std::set<std::string> wanted(keys.begin(), keys.end());
    std::erase_if(entries, [&](const auto& entry) { return !wanted.contains(entry.key); });
    return entries;
}

int run_export(Context& context, const ExportArguments& arguments) {
    ComplaintFilter filter;
    if (!build_filter("export", arguments.filters, filter)) {
        return kExitDataErr;
    }
    if (!arguments.addresses_file.empty()) {
        if (!std::ifstream(arguments.addresses_file)) {
            complain("export", "cannot read " + arguments.addresses_file);
            return kExitUsage;
        }
        AddressNormalizer normalizer(context.config().suppression);
        auto keys = read_address_file(arguments.addresses_file, normalizer);
        if (!keys) {
            return kExitDataErr;
        }
        if (keys->empty()) {
            complain("export", arguments.addresses_file + " names no address");
            return kExitDataErr;
        }
        filter.keys = std::move(*keys);
    }
    Format format = *parse_format(arguments.filters.format);
    bool to_file = !arguments.output.empty() && arguments.output != "-";
    Progress progress(std::cerr, to_file && stderr_is_terminal(), "export");
    auto on_row = [&progress] { progress.advance(); };
    if (format == Format::csv) {
        // A CSV file holds one table: the list when asked for, else the complaints.
        Records records =
            arguments.suppressions
                ? suppression_records(selected_suppressions(context, filter, filter.keys))
                : complaint_records(context.store().complaints(filter));
        progress.set_total(static_cast<std::int64_t>(records.rows.size()));
        int status = emit("export", format, records, arguments.output, on_row);
        progress.finish();
        return status;
    }
    Records complaints = complaint_records(context.store().complaints(filter));
    std::optional<Records> suppressions;
    if (arguments.suppressions) {
        suppressions = suppression_records(selected_suppressions(context, filter, filter.keys));
    }
    progress.set_total(static_cast<std::int64_t>(complaints.rows.size() +
                                                 (suppressions ? suppressions->rows.size() : 0)));
    nlohmann::ordered_json document;
    document["complaints"] = complaints.to_json(on_row);
    if (suppressions) {
        document["suppressions"] = suppressions->to_json(on_row);
    }
    try {
        OutputFile output(arguments.output);
        output.stream() << document.dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
                        << '\n';
        output.commit();
    } catch (const OutputError& error) {
        complain("export", error.what());
        return kExitCantCreate;
    }
    progress.finish();
    return kExitOk;
}

void add_filter_options(CLI::App& command, ComplaintArguments& arguments) {
    command.add_option("--since", arguments.since, "only complaints received from DATE on");
    command.add_option("--until", arguments.until,
                       "only complaints received before DATE (a bare day is included)");
    command.add_option("--mailing", arguments.mailing, "only this mailing id");
    command.add_option("--provider", arguments.provider, "only this reporting provider (domain)");
}

}  // namespace

Records complaint_records(const std::vector<Complaint>& complaints) {
    Records records{{"date", "recipient", "key", "mailing", "provider", "feedback_type", "subject",
                     "trusted", "trust_reason", "kind", "evidence", "complaint_id", "message_id"},
                    {}};
    for (const auto& complaint : complaints) {
        auto row = [&](const store::ComplaintRecipient* recipient) -> Row {
            return {format_time(complaint.received_at),
                    recipient ? recipient->address : "",
                    recipient ? recipient->key : "",
                    complaint.mailing_id,
                    complaint.provider,
                    complaint.feedback_type,
                    complaint.original_subject,
                    complaint.trusted,
                    complaint.trust_reason,
                    store::to_string(complaint.kind),
                    recipient ? recipient->evidence : "unresolved",
                    complaint.id,
                    complaint.original_message_id};
        };
        if (complaint.recipients.empty()) {
            records.rows.push_back(row(nullptr));
        }
        for (const auto& recipient : complaint.recipients) {
            records.rows.push_back(row(&recipient));
        }
    }
    return records;
}

void add_complaint_commands(CLI::App& app, Context& context, Action& action) {
    auto complaint_arguments = std::make_shared<ComplaintArguments>();
    auto* complaints = app.add_subcommand(
        "complaints", "spam complaints: who reported which mailing, when, via which provider");
    add_filter_options(*complaints, *complaint_arguments);
    complaints->add_option("--format", complaint_arguments->format, "table, csv or json")
        ->check(CLI::IsMember({"table", "csv", "json"}));
    complaints->add_flag("--untrusted", complaint_arguments->untrusted,
                         "only untrusted reports (stored for review, acted on for nobody)");
    CLI::App* reevaluate = add_reevaluate_command(*complaints, context, action);
    complaints->callback([&, complaint_arguments, reevaluate] {
        if (reevaluate->parsed()) {
            return;  // its own callback chose the action
        }
        action = [&, complaint_arguments] { return run_complaints(context, *complaint_arguments); };
    });

    auto export_arguments = std::make_shared<ExportArguments>();
    auto* exporter = app.add_subcommand(
        "export",
        "complaints (and with --suppressions the list) as CSV (RFC 4180) or one JSON document");
    exporter->add_option("--format", export_arguments->filters.format, "csv or json")
        ->check(CLI::IsMember({"csv", "json"}))
        ->required();
    add_filter_options(*exporter, export_arguments->filters);
    exporter->add_option("--addresses", export_arguments->addresses_file,
                         "only these recipients: a file with one address per line");
    exporter->add_option("-o,--output", export_arguments->output,
                         "write to FILE instead of stdout");
    exporter->add_flag(
        "--suppressions", export_arguments->suppressions,
        "json: add the suppression list; csv: export the list instead of complaints");
    exporter->callback([&, export_arguments] {
        action = [&, export_arguments] { return run_export(context, *export_arguments); };
    });
}

}  // namespace fbl::cli
