#include "cli/ingest_command.h"

#include <iostream>
#include <memory>
#include <string>

#include "cli/report_input.h"
#include "common/log.h"
#include "config/diagnostics.h"
#include "feedback_loop/intake.h"

namespace fbl::cli {
namespace {

int handle_non_report(const config::Config& config, const feedback_loop::IntakeResult& result,
                      const std::string& file) {
    if (config.feedback.non_report == config::NonReportHandling::bounce) {
        std::cerr << "fblctl ingest: " << file << ": not a feedback report (" << result.reason
                  << ")\n";
        return kExitDataErr;
    }
    log::notice("ingest: {}: not a feedback report ({}); accepted and ignored", file,
                result.reason);
    return kExitOk;
}

void log_result(const std::string& file, const feedback_loop::IntakeResult& result) {
    if (result.duplicate) {
        log::info("ingest: {}: {} already taken in as complaint {}; nothing changed", file,
                  feedback_loop::to_string(result.kind), result.complaint_id);
        return;
    }
    log::notice(
        "ingest: {}: {} stored as complaint {}: {} recipient(s), {} suppressed, {} CRM "
        "job(s); {}",
        file, feedback_loop::to_string(result.kind), result.complaint_id, result.recipients,
        result.suppressed, result.jobs, result.reason);
}

// Every failure that a later attempt may not repeat is a tempfail: the MTA
// keeps the report and retries, so it is never acknowledged and lost.
int run_ingest(Context& context, const std::string& file) {
    const config::Config* config = nullptr;
    try {
        config = &context.config();
    } catch (const config::ConfigInvalid& error) {
        std::cerr << error.what() << "\nfblctl ingest: configuration invalid; try again later\n";
        return kExitTempFail;
    }
    auto options = feedback_loop::ParseOptions::from_config(*config);
    std::string error;
    auto input = read_report_input(file, options.size_limit, error);
    if (!input) {
        std::cerr << "fblctl ingest: " << error << '\n';
        return file == "-" ? kExitTempFail : kExitUsage;
    }
    auto report = feedback_loop::parse_report(input->bytes, options);
    if (report.kind == feedback_loop::ReportKind::not_a_report) {
        feedback_loop::IntakeResult result;
        result.reason = report.errors.empty() ? "not a report" : report.errors.front();
        return handle_non_report(*config, result, file);
    }
    try {
        feedback_loop::Intake intake(*config, context.writable_store());
        feedback_loop::IntakeResult result = intake.take(report, input->bytes);
        log_result(file, result);
        return kExitOk;
    } catch (const suppression::StoreUnavailable& failure) {
        std::cerr << "fblctl ingest: store unavailable: " << failure.what() << '\n';
    } catch (const suppression::StoreCorrupt& failure) {
        std::cerr << "fblctl ingest: store unusable: " << failure.what() << '\n';
    }
    return kExitTempFail;
}

}  // namespace

void add_ingest_command(CLI::App& app, Context& context, Action& action) {
    auto file = std::make_shared<std::string>("-");
    CLI::App* ingest = app.add_subcommand(
        "ingest",
        "take in one report: store the complaint, suppress its recipients and queue the CRM "
        "jobs in one transaction; idempotent. Exit 0 done, 75 try again later, 65 not a report "
        "(only with feedback.non_report: bounce)");
    ingest->add_option("file", *file, "the message; - (the default) reads standard input");
    ingest->callback([&context, &action, file] {
        action = [&context, file] { return run_ingest(context, *file); };
    });
}

}  // namespace fbl::cli
