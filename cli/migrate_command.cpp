#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/progress.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"

// fblctl migrate --from sqlite:PATH --to postgres: moves a store's whole
// history (suppressions, complaints, outbox, send log, change feed) to
// another backend in one transaction on the target.
namespace fbl::cli {
namespace {

constexpr const char* kEndpointForms = "sqlite, sqlite:PATH, postgres or postgres:CONNINFO";

// A store named on the command line; opened only once both names parse.
struct Endpoint {
    config::StoreBackend backend = config::StoreBackend::sqlite;
    config::SqliteSettings sqlite;
    config::PostgresSettings postgres;
    std::string label;  // for messages: never a password
};

class UsageError : public std::runtime_error {
    using std::runtime_error::runtime_error;
};

Endpoint parse_endpoint(const std::string& option, const std::string& text, Context& context) {
    Endpoint endpoint;
    auto colon = text.find(':');
    std::string kind = text.substr(0, colon);
    std::optional<std::string> detail;
    if (colon != std::string::npos) {
        detail = text.substr(colon + 1);
        if (detail->empty()) {
            throw UsageError(fmt::format("{}: '{}' names nothing after ':' (expected {})", option,
                                         text, kEndpointForms));
        }
    }
    if (kind == "sqlite") {
        endpoint.backend = config::StoreBackend::sqlite;
        endpoint.sqlite = detail ? config::SqliteSettings{} : context.config().store.sqlite;
        if (detail) {
            endpoint.sqlite.path = *detail;
        }
        endpoint.label = "sqlite:" + endpoint.sqlite.path;
        return endpoint;
    }
    if (kind == "postgres") {
        endpoint.backend = config::StoreBackend::postgres;
        if (detail) {
            if (detail->find("password") != std::string::npos) {
                throw UsageError(fmt::format(
                    "{}: no password in the conninfo (it would show in ps and shell history); use "
                    "PGPASSWORD, ~/.pgpass or the config file's store.postgres",
                    option));
            }
            endpoint.postgres.conninfo = *detail;
            endpoint.label = "postgres:" + *detail;
        } else {
            endpoint.postgres = context.config().store.postgres;
            if (endpoint.postgres.conninfo.empty()) {
                throw UsageError(fmt::format(
                    "{}: the config file has no store.postgres.conninfo; give postgres:CONNINFO",
                    option));
            }
            endpoint.label = "postgres (store.postgres of the config file)";
        }
        // A large store takes longer to copy than a daemon's query may.
        endpoint.postgres.statement_timeout = config::Seconds{0};
        return endpoint;
    }
    throw UsageError(
        fmt::format("{}: '{}' is not a store (expected {})", option, text, kEndpointForms));
}

std::unique_ptr<store::Store> open_endpoint(const Endpoint& endpoint) {
    if (endpoint.backend == config::StoreBackend::postgres) {
        return std::make_unique<store::PostgresStore>(endpoint.postgres);
    }
    return std::make_unique<store::SqliteStore>(endpoint.sqlite);
}

int migrate(Context& context, const std::string& from_text, const std::string& to_text) {
    Endpoint from;
    Endpoint to;
    try {
        from = parse_endpoint("--from", from_text, context);
        to = parse_endpoint("--to", to_text, context);
        if (from.backend == config::StoreBackend::sqlite) {
            std::error_code error;
            if (!std::filesystem::is_regular_file(from.sqlite.path, error)) {
                throw UsageError(fmt::format("--from: {} is not a file", from.sqlite.path));
            }
        }
        if (from.backend == to.backend && from.label == to.label) {
            throw UsageError("--from and --to name the same store");
        }
    } catch (const UsageError& error) {
        std::cerr << "fblctl migrate: " << error.what() << '\n';
        return kExitUsage;
    }

    auto source = open_endpoint(from);
    auto target = open_endpoint(to);
    store::HistoryCounts counts;
    auto progress = stderr_progress("migrate");
    try {
        counts = target->import_history([&](const store::HistoryVisitor& visit) {
            source->export_history(
                [&](const store::HistoryTable& table, const store::HistoryRow& row) {
                    visit(table, row);
                    progress.advance();
                });
        });
        progress.finish();
    } catch (const store::StoreNotEmpty& error) {
        std::cerr << "fblctl migrate: " << error.what()
                  << " (migrate into an empty database only)\n";
        return kExitCantCreate;
    }
    std::cout << fmt::format("migrated {} to {}\n", from.label, to.label);
    for (const auto& [table, rows] : counts) {
        std::cout << fmt::format("{:<22}{:>12}\n", table, rows);
    }
    return kExitOk;
}

}  // namespace

void add_migrate_command(CLI::App& app, Context& context, Action& action) {
    struct Options {
        std::string from;
        std::string to;
    };
    auto options = std::make_shared<Options>();
    auto* command = app.add_subcommand(
        "migrate",
        "copy a store's whole history into an empty store of another backend, in one transaction");
    command->add_option("--from", options->from, std::string("source store: ") + kEndpointForms)
        ->required();
    command->add_option("--to", options->to, std::string("target store: ") + kEndpointForms)
        ->required();
    command->callback([&, options] {
        action = [&, options] { return migrate(context, options->from, options->to); };
    });
}

}  // namespace fbl::cli
