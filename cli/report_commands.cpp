#include <iostream>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/ingest_command.h"
#include "cli/report_input.h"
#include "feedback_loop/parser.h"
#include "feedback_loop/recipients.h"
#include "feedback_loop/report_json.h"

namespace fbl::cli {
namespace {

struct ParseArguments {
    bool json_lines = false;
    std::vector<std::string> files;
};

int run_parse(Context& context, const ParseArguments& arguments) {
    const config::Config& config = context.config();
    auto options = feedback_loop::ParseOptions::from_config(config);
    feedback_loop::RecipientResolver resolver(config.feedback);
    int status = kExitOk;
    for (const std::string& file : arguments.files) {
        std::string error;
        auto input = read_report_input(file, options.size_limit, error);
        if (!input) {
            std::cerr << "fblctl parse: " << error << '\n';
            status = kExitUsage;
            continue;
        }
        feedback_loop::FeedbackReport report = feedback_loop::parse_report(input->bytes, options);
        feedback_loop::Resolution resolution = resolver.resolve(report);
        nlohmann::json out = feedback_loop::to_json(report, resolution);
        out["file"] = file;
        std::cout << (arguments.json_lines
                          ? out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
                          : out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace))
                  << '\n';
        if (report.kind == feedback_loop::ReportKind::not_a_report && status == kExitOk) {
            status = kExitFound;
        }
    }
    std::cout.flush();
    if (!std::cout) {
        std::cerr << "fblctl parse: cannot write the output\n";
        return kExitCantCreate;
    }
    return status;
}

}  // namespace

void add_report_commands(CLI::App& app, Context& context, Action& action) {
    auto parse_arguments = std::make_shared<ParseArguments>();
    CLI::App* parse = app.add_subcommand(
        "parse",
        "parse feedback reports and print what was found, one JSON object per input "
        "(docs/parse-output.md); changes nothing");
    parse->add_flag("--json", parse_arguments->json_lines,
                    "one compact JSON object per line instead of indented JSON");
    parse->add_option("files", parse_arguments->files, "message files; - reads standard input")
        ->required();
    parse->callback([&context, &action, parse_arguments] {
        action = [&context, parse_arguments] { return run_parse(context, *parse_arguments); };
    });
    add_ingest_command(app, context, action);
}

}  // namespace fbl::cli
