// fblctl complaints reevaluate: an untrusted report checked again with
// today's keys and config (issue 14 item 5): a DKIM key that could not be
// fetched, or a reporter domain added since, may make it trusted now. Its
// effects are applied once, however often this runs.
#include "cli/reevaluate_command.h"

#include <iostream>

#include <fmt/format.h>

#include "feedback_loop/trust.h"
#include "intake/intake.h"
#include "intake/raw_copy.h"

namespace fbl::cli {
namespace {

struct ReevaluateArguments {
    std::int64_t id = 0;
    bool all = false;
};

enum class Outcome { trusted, untrusted, not_kept };

Outcome reevaluate_one(intake::Intake& intake, store::Store& store, std::int64_t id) {
    auto raw = intake::from_raw_copy(store.raw_report(id));
    if (!raw) {
        std::cout << fmt::format(
            "complaint {}: no raw copy kept (trusted, too large for "
            "feedback.untrusted_raw_limit, or from before it existed): not re-evaluated\n",
            id);
        return Outcome::not_kept;
    }
    auto result = intake.reevaluate(id, *raw);
    if (!result.trusted) {
        std::cout << fmt::format("complaint {}: still untrusted: {}\n", id, result.reason);
        return Outcome::untrusted;
    }
    if (result.duplicate) {
        std::cout << fmt::format("complaint {}: already trusted, nothing changed\n", id);
        return Outcome::trusted;
    }
    std::cout << fmt::format("complaint {}: trusted now ({}): {} suppressed, {} CRM job(s)\n", id,
                             result.reason, result.suppressed, result.jobs);
    return Outcome::trusted;
}

int run_reevaluate(Context& context, const ReevaluateArguments& arguments) {
    if (arguments.all == (arguments.id != 0)) {
        std::cerr << "fblctl complaints reevaluate: give one complaint ID or --all\n";
        return kExitUsage;
    }
    auto& store = context.writable_store();
    intake::Intake intake(context.config(), store);
    std::vector<std::int64_t> ids;
    if (arguments.all) {
        store::ComplaintFilter filter;
        filter.trusted = false;
        for (const auto& complaint : store.complaints(filter)) {
            ids.push_back(complaint.id);
        }
    } else {
        ids.push_back(arguments.id);
    }
    int trusted = 0;
    int untrusted = 0;
    try {
        for (std::int64_t id : ids) {
            Outcome outcome = reevaluate_one(intake, store, id);
            trusted += outcome == Outcome::trusted ? 1 : 0;
            untrusted += outcome == Outcome::untrusted ? 1 : 0;
        }
    } catch (const feedback_loop::TemporaryTrustFailure& failure) {
        std::cerr << "fblctl complaints reevaluate: trust cannot be decided now, try again later: "
                  << failure.what() << '\n';
        return kExitTempFail;
    }
    if (arguments.all) {
        std::cout << fmt::format("{} untrusted complaint(s): {} trusted now, {} still untrusted\n",
                                 ids.size(), trusted, untrusted);
        return kExitOk;
    }
    return trusted == 1 ? kExitOk : untrusted == 1 ? kExitFound : kExitDataErr;
}

}  // namespace

CLI::App* add_reevaluate_command(CLI::App& complaints, Context& context, Action& action) {
    auto arguments = std::make_shared<ReevaluateArguments>();
    auto* command = complaints.add_subcommand(
        "reevaluate",
        "decide the trust of untrusted complaints again from their raw copy, with today's keys "
        "and config; one that is trusted now is acted on (suppressed, CRM jobs) once. Exit 0 "
        "trusted now (or --all done), 1 still untrusted, 65 no raw copy kept, 75 try again later");
    command->add_option("id", arguments->id, "the complaint id (fblctl complaints --untrusted)")
        ->check(CLI::PositiveNumber);
    command->add_flag("--all", arguments->all, "every untrusted complaint");
    command->callback([&context, &action, arguments] {
        action = [&context, arguments] { return run_reevaluate(context, *arguments); };
    });
    return command;
}

}  // namespace fbl::cli
