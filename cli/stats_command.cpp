// fblctl stats: complaint rates per mailing, provider or day (issue 7).
// Sends come from the send log, complaints from the complaints table; only
// trusted spam complaints count, since forged reports must not move a rate.
#include <cmath>
#include <map>

#include "cli/commands.h"
#include "cli/suppression_commands.h"
#include "common/dates.h"
#include "common/text.h"

namespace fbl::cli {

using dates::TimePoint;

using dates::format_time;
namespace {

using store::Complaint;
using store::SendGrouping;

struct StatsArguments {
    std::string by = "mailing";
    std::string since;
    std::string format = "table";
};

struct GroupCounts {
    std::int64_t sends = 0;
    std::int64_t complaints = 0;
};

SendGrouping grouping_named(const std::string& name) {
    if (name == "provider") {
        return SendGrouping::provider;
    }
    return name == "day" ? SendGrouping::day : SendGrouping::mailing;
}

// The same groups the store gives the send log: the text after the last '@'
// of the recipient key, the UTC date.
std::string complaint_group(const Complaint& complaint, SendGrouping by) {
    switch (by) {
        case SendGrouping::mailing:
            return complaint.mailing_id;
        case SendGrouping::provider: {
            if (complaint.recipients.empty()) {
                return "(unresolved)";
            }
            const std::string& key = complaint.recipients.front().key;
            // A key without '@' is its own group, not "".
            return key.find('@') == std::string::npos ? key : text::domain_of(key);
        }
        case SendGrouping::day:
            return format_time(complaint.received_at).substr(0, 10);
    }
    return "";
}

// Thresholds are "at or above"; the epsilon keeps 3 in 1000 at exactly 0.3%.
std::string flag_for(const GroupCounts& counts, const config::StatsSettings& thresholds) {
    if (counts.sends == 0) {
        return "";  // no rate without sends (older than the send-log retention?)
    }
    constexpr double kEpsilon = 1e-12;
    double rate = static_cast<double>(counts.complaints) / static_cast<double>(counts.sends);
    if (rate + kEpsilon >= thresholds.critical_rate) {
        return "critical";
    }
    if (rate + kEpsilon >= thresholds.warning_rate) {
        return "warning";
    }
    return "ok";
}

nlohmann::ordered_json rate_of(const GroupCounts& counts) {
    if (counts.sends == 0) {
        return nullptr;
    }
    double rate = static_cast<double>(counts.complaints) / static_cast<double>(counts.sends);
    return std::round(rate * 1e6) / 1e6;  // six decimals: 0.0001% resolution
}

std::map<std::string, GroupCounts> count_groups(store::Store& store, SendGrouping by,
                                                const std::optional<TimePoint>& since) {
    std::map<std::string, GroupCounts> groups;
    for (const auto& count : store.send_counts(by, since)) {
        groups[count.group].sends = count.sends;
    }
    store::ComplaintFilter filter;
    filter.since = since;
    filter.trusted = true;
    for (const Complaint& complaint : store.complaints(filter)) {
        if (complaint.kind == store::ComplaintKind::complaint) {
            ++groups[complaint_group(complaint, by)].complaints;
        }
    }
    return groups;
}

int run_stats(Context& context, const StatsArguments& arguments) {
    std::optional<TimePoint> since;
    if (!parse_date_option("stats", "--since", arguments.since, since)) {
        return kExitDataErr;
    }
    const config::Config& config = context.config();
    if (!since) {
        // Rates compare like with like: sends older than this are pruned.
        since = std::chrono::system_clock::now() - config.send_log.retention;
    }
    Records records{{arguments.by, "sends", "complaints", "rate", "flag"}, {}};
    for (const auto& [group, counts] :
         count_groups(context.store(), grouping_named(arguments.by), since)) {
        records.rows.push_back({group, counts.sends, counts.complaints, rate_of(counts),
                                flag_for(counts, config.stats)});
    }
    return emit("stats", *parse_format(arguments.format), records);
}

}  // namespace

void add_stats_command(CLI::App& app, Context& context, Action& action) {
    auto arguments = std::make_shared<StatsArguments>();
    auto* stats = app.add_subcommand(
        "stats",
        "complaint rates: sends (send log), trusted complaints, rate, warning/critical flag");
    stats->add_option("--by", arguments->by, "mailing, provider (recipient domain) or day (UTC)")
        ->check(CLI::IsMember({"mailing", "provider", "day"}))
        ->default_str("mailing");
    stats->add_option("--since", arguments->since,
                      "from DATE on (default: the send-log retention, send_log.retention)");
    stats->add_option("--format", arguments->format, "table, csv or json")
        ->check(CLI::IsMember({"table", "csv", "json"}));
    stats->callback(
        [&, arguments] { action = [&, arguments] { return run_stats(context, *arguments); }; });
}

}  // namespace fbl::cli
