#include "cli/ingest_command.h"

#include <iostream>
#include <memory>
#include <string>

#include "cli/report_input.h"
#include "common/log.h"
#include "config/diagnostics.h"
#include "intake/intake.h"
#include "intake/summary.h"

namespace fbl::cli {
namespace {

// A pipe transport has no mailbox to keep a non-report in: exit 0 would
// acknowledge it and drop it. EX_DATAERR bounces it, so its sender learns
// why (feedback.non_report decides only what the milter does).
int refuse_non_report(const feedback_loop::FeedbackReport& report, const std::string& file) {
    std::string reason = report.errors.empty() ? "not a report" : report.errors.front();
    std::cerr << "fblctl ingest: " << file << ": not a feedback report (" << reason
              << "); refused\n";
    log::notice("ingest: {}: not a feedback report ({}); refused with EX_DATAERR", file, reason);
    return kExitDataErr;
}

void log_result(const std::string& file, const intake::IntakeResult& result) {
    log::notice("ingest: {}: complaint {}: {}", file, result.complaint_id,
                intake::log_summary(result));
}

int take_in(Context& context, const config::Config& config, const std::string& file) {
    auto options = feedback_loop::ParseOptions::from_config(config);
    std::string error;
    auto input = read_report_input(file, options.size_limit, error);
    if (!input) {
        std::cerr << "fblctl ingest: " << error << '\n';
        return file == "-" ? kExitTempFail : kExitUsage;
    }
    auto report = feedback_loop::parse_report(input->bytes, options);
    if (report.kind == feedback_loop::ReportKind::not_a_report) {
        return refuse_non_report(report, file);
    }
    intake::Intake intake(config, context.writable_store());
    log_result(file, intake.take(report, input->bytes));
    return kExitOk;
}

// Every failure that a later attempt may not repeat is a tempfail: the MTA
// keeps the report and retries, so it is never acknowledged and lost. That
// includes the unexpected: EX_SOFTWARE (70) would make Postfix bounce it.
int run_ingest(Context& context, const std::string& file) {
    try {
        return take_in(context, context.config(), file);
    } catch (const config::ConfigInvalid& error) {
        std::cerr << error.what() << "\nfblctl ingest: configuration invalid; try again later\n";
    } catch (const store::StoreUnavailable& failure) {
        std::cerr << "fblctl ingest: store unavailable: " << failure.what() << '\n';
    } catch (const store::StoreCorrupt& failure) {
        std::cerr << "fblctl ingest: store unusable: " << failure.what() << '\n';
    } catch (const feedback_loop::TemporaryTrustFailure& failure) {
        std::cerr << "fblctl ingest: trust cannot be decided now, try again later: "
                  << failure.what() << '\n';
    } catch (const std::exception& failure) {
        std::cerr << "fblctl ingest: unexpected error, try again later: " << failure.what() << '\n';
    } catch (...) {
        std::cerr << "fblctl ingest: unexpected error, try again later\n";
    }
    return kExitTempFail;
}

}  // namespace

void add_ingest_command(CLI::App& app, Context& context, Action& action) {
    auto file = std::make_shared<std::string>("-");
    CLI::App* ingest = app.add_subcommand(
        "ingest",
        "take in one report: store the complaint, suppress its recipients and queue the CRM "
        "jobs in one transaction; idempotent. Exit 0 done (or taken in before), 75 try again "
        "later (any failure), 65 not a report or over milter.report_size_limit");
    ingest->add_option("file", *file, "the message; - (the default) reads standard input");
    ingest->callback([&context, &action, file] {
        action = [&context, file] { return run_ingest(context, *file); };
    });
}

}  // namespace fbl::cli
