#include "cli/suppression_commands.h"

#include <iostream>

#include "common/dates.h"

namespace fbl::cli {

using dates::format_time;
using dates::parse_date;
using dates::parse_date_until;
using dates::parse_expiry;
namespace {

using store::Suppression;
using suppression::AddressNormalizer;
using suppression::TimePoint;

struct CheckArguments {
    std::vector<std::string> addresses;
    std::string format = "table";
};

struct AddArguments {
    std::vector<std::string> addresses;
    std::string reason = "manual";
    std::string scope = "marketing";
    std::string expires;
    std::string note;
};

struct RemoveArguments {
    std::vector<std::string> addresses;
    std::string note;
};

struct ListArguments {
    std::string reason;
    std::string since;
    std::string mailing;
    std::string format = "table";
};

int run_check(Context& context, const CheckArguments& arguments) {
    AddressNormalizer normalizer(context.config().suppression);
    auto& store = context.store();
    Records records{{"address", "key", "suppressed", "reason", "scope", "since", "expires", "note"},
                    {}};
    bool any_suppressed = false;
    bool any_bad = false;
    for (const auto& address : arguments.addresses) {
        auto normalized = normalizer.normalize(address);
        if (!normalized.ok()) {
            complain("check", "'" + address + "': " + normalized.error);
            any_bad = true;
            continue;
        }
        auto entry = store.find(normalized.key);
        any_suppressed = any_suppressed || entry.has_value();
        if (entry) {
            records.rows.push_back({address, entry->key, true, store::to_string(entry->reason),
                                    store::to_string(entry->scope), format_time(entry->first_at),
                                    time_or_null(entry->expires_at), entry->note});
        } else {
            records.rows.push_back(
                {address, normalized.key, false, nullptr, nullptr, nullptr, nullptr, nullptr});
        }
    }
    int status = emit("check", *parse_format(arguments.format), records);
    if (status != kExitOk) {
        return status;
    }
    if (any_bad) {
        return kExitDataErr;
    }
    return any_suppressed ? kExitFound : kExitOk;
}

int run_add(Context& context, const AddArguments& arguments) {
    AddressNormalizer normalizer(context.config().suppression);
    auto keys = normalize_all("add", normalizer, arguments.addresses);
    if (!keys) {
        return kExitDataErr;
    }
    auto now = std::chrono::system_clock::now();
    std::optional<TimePoint> expires_at;
    if (!arguments.expires.empty()) {
        auto expiry = parse_expiry(arguments.expires, now);
        if (!expiry) {
            complain("add", "--expires: '" + arguments.expires +
                                "' is neither a duration (30d, 12h, 2w) nor a date "
                                "(YYYY-MM-DD[THH:MM:SSZ]) nor never");
            return kExitDataErr;
        }
        expires_at = *expiry;
    } else if (auto default_expiry = context.config().suppression.default_expiry) {
        expires_at = now + *default_expiry;
    }
    std::vector<Suppression> entries;
    for (std::size_t i = 0; i < keys->size(); ++i) {
        Suppression entry;
        entry.key = (*keys)[i];
        entry.address = arguments.addresses[i];
        entry.reason = *store::parse_reason(arguments.reason);
        entry.scope = *store::parse_scope(arguments.scope);
        entry.source = "fblctl";
        entry.first_at = now;
        entry.last_at = now;
        entry.expires_at = expires_at;
        entry.note = arguments.note;
        entries.push_back(std::move(entry));
    }
    context.writable_store().add_all(entries);
    for (const auto& key : *keys) {
        std::cout << "suppressed " << key << '\n';
    }
    return kExitOk;
}

int run_remove(Context& context, const RemoveArguments& arguments) {
    AddressNormalizer normalizer(context.config().suppression);
    auto keys = normalize_all("remove", normalizer, arguments.addresses);
    if (!keys) {
        return kExitDataErr;
    }
    auto& store = context.store();
    for (const auto& key : *keys) {
        bool removed = store.remove(key, arguments.note);
        std::cout << (removed ? "removed " : "not suppressed ") << key << '\n';
    }
    return kExitOk;
}

int run_list(Context& context, const ListArguments& arguments) {
    store::SuppressionFilter filter;
    if (!arguments.reason.empty()) {
        filter.reason = store::parse_reason(arguments.reason);
    }
    if (!parse_date_option("list", "--since", arguments.since, filter.since)) {
        return kExitDataErr;
    }
    filter.mailing_id = arguments.mailing;
    return emit("list", *parse_format(arguments.format),
                suppression_records(context.store().list(filter)));
}

}  // namespace

nlohmann::ordered_json time_or_null(const std::optional<TimePoint>& time) {
    return time ? nlohmann::ordered_json(format_time(*time)) : nlohmann::ordered_json();
}

void complain(const std::string& command, const std::string& message) {
    std::cerr << "fblctl " << command << ": " << message << '\n';
}

int emit(const std::string& command, Format format, const Records& records, const std::string& path,
         const RowWritten& on_row) {
    try {
        OutputFile output(path);
        write_records(output.stream(), format, records, on_row);
        output.commit();
        return kExitOk;
    } catch (const OutputError& error) {
        complain(command, error.what());
        return kExitCantCreate;
    }
}

bool parse_date_option(const std::string& command, const std::string& option,
                       const std::string& text, std::optional<TimePoint>& out, bool until) {
    if (text.empty()) {
        return true;
    }
    out = until ? parse_date_until(text) : parse_date(text);
    if (!out) {
        complain(command,
                 option + ": '" + text + "' is not a date (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)");
        return false;
    }
    return true;
}

std::optional<std::vector<std::string>> normalize_all(const std::string& command,
                                                      const AddressNormalizer& normalizer,
                                                      const std::vector<std::string>& addresses) {
    std::vector<std::string> keys;
    bool bad = false;
    for (const auto& address : addresses) {
        auto normalized = normalizer.normalize(address);
        if (!normalized.ok()) {
            complain(command, "'" + address + "': " + normalized.error);
            bad = true;
        }
        keys.push_back(normalized.key);
    }
    if (bad) {
        complain(command, "nothing changed");
        return std::nullopt;
    }
    return keys;
}

Records suppression_records(const std::vector<Suppression>& entries) {
    Records records{{"key", "address", "reason", "scope", "since", "last", "count", "expires",
                     "source", "mailing", "note"},
                    {}};
    for (const auto& entry : entries) {
        records.rows.push_back({entry.key, entry.address, store::to_string(entry.reason),
                                store::to_string(entry.scope), format_time(entry.first_at),
                                format_time(entry.last_at), entry.count,
                                time_or_null(entry.expires_at), entry.source, entry.mailing_id,
                                entry.note});
    }
    return records;
}

void add_suppression_commands(CLI::App& app, Context& context, Action& action) {
    auto formats = CLI::IsMember({"table", "csv", "json"});

    auto check_arguments = std::make_shared<CheckArguments>();
    auto* check = app.add_subcommand(
        "check", "is an address suppressed? (exit 0: none is, 1: at least one is)");
    check->add_option("address", check_arguments->addresses, "addresses to look up")->required();
    check->add_option("--format", check_arguments->format, "table, csv or json")->check(formats);
    check->callback([&, check_arguments] {
        action = [&, check_arguments] { return run_check(context, *check_arguments); };
    });

    auto add_arguments = std::make_shared<AddArguments>();
    auto* add = app.add_subcommand("add", "suppress addresses (one transaction: all or none)");
    add->add_option("address", add_arguments->addresses, "addresses to suppress")->required();
    add->add_option("--reason", add_arguments->reason,
                    "complaint, unsubscribe, manual, import or bounce")
        ->check(CLI::IsMember(kReasonNames))
        ->default_str("manual");
    add->add_option("--scope", add_arguments->scope, "what it blocks: marketing or all")
        ->check(CLI::IsMember(kScopeNames))
        ->default_str("marketing");
    add->add_option("--expires", add_arguments->expires,
                    "DURATION (30d, 12h) from now, DATE (YYYY-MM-DD[THH:MM:SSZ]) or never; "
                    "default: suppression.default_expiry");
    add->add_option("--note", add_arguments->note, "why, kept with the entry and in its history");
    add->callback([&, add_arguments] {
        action = [&, add_arguments] { return run_add(context, *add_arguments); };
    });

    auto remove_arguments = std::make_shared<RemoveArguments>();
    auto* remove =
        app.add_subcommand("remove", "lift suppressions (the history keeps who and when)");
    remove->add_option("address", remove_arguments->addresses, "addresses to lift")->required();
    remove->add_option("--note", remove_arguments->note, "why, kept in the history");
    remove->callback([&, remove_arguments] {
        action = [&, remove_arguments] { return run_remove(context, *remove_arguments); };
    });

    auto list_arguments = std::make_shared<ListArguments>();
    auto* list = app.add_subcommand("list", "the current suppression list");
    list->add_option("--reason", list_arguments->reason, "only this reason")
        ->check(CLI::IsMember(kReasonNames));
    list->add_option("--since", list_arguments->since, "only entries suppressed since DATE");
    list->add_option("--mailing", list_arguments->mailing, "only entries drawn by this mailing id");
    list->add_option("--format", list_arguments->format, "table, csv or json")->check(formats);
    list->callback([&, list_arguments] {
        action = [&, list_arguments] { return run_list(context, *list_arguments); };
    });

    add_complaint_commands(app, context, action);
    add_import_command(app, context, action);
}

}  // namespace fbl::cli
