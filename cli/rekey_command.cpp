// fblctl rekey: moves the store's keys to the normalisation now configured
// (issue 14 item 13). fblmilter does the same at start; this is for a store
// the daemon does not open itself yet, or several nodes sharing one.
#include <iostream>

#include "cli/commands.h"
#include "cli/progress.h"
#include "store/rekey.h"

namespace fbl::cli {
namespace {

int rekey(Context& context, bool check_only) {
    suppression::AddressNormalizer normalizer(context.config().suppression);
    auto& store = context.store_as_is();
    if (check_only) {
        auto alignment = store::check_keys(store, normalizer);
        std::cout << (alignment.current() ? "keys are current: " : "keys need a re-key: ")
                  << "store " << alignment.recorded.value_or("(not recorded)") << ", configuration "
                  << alignment.configured << '\n';
        return alignment.current() ? kExitOk : kExitFound;
    }
    auto progress = stderr_progress("rekey");
    auto realignment = store::realign_keys(store, normalizer, [&] { progress.advance(); });
    progress.finish();
    std::cout << store::describe(realignment) << '\n';
    if (realignment.rekeyed) {
        std::cout << "a running fblmilter on this store takes these settings at once (it logs "
                     "\"re-keyed elsewhere\"); give its configuration file the same ones before "
                     "it restarts\n";
    }
    return kExitOk;
}

}  // namespace

void add_rekey_command(CLI::App& app, Context& context, Action& action) {
    auto* command = app.add_subcommand(
        "rekey",
        "give every suppression, complaint recipient and send-log row the key that the "
        "configured suppression normalisation makes, in one transaction (fblmilter does it at "
        "start)");
    auto check_only = std::make_shared<bool>(false);
    command->add_flag("--check", *check_only,
                      "only say whether the keys are current (exit 1 when they are not)");
    command->callback([&context, &action, check_only] {
        action = [&context, check_only] { return rekey(context, *check_only); };
    });
}

}  // namespace fbl::cli
