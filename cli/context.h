#pragma once

#include <memory>
#include <string>

#include "config/config.h"
#include "store/store.h"

namespace fbl::cli {

// What every fblctl subcommand shares: the config file named by -c, loaded
// on first use, and the store it configures, opened on first use.
class Context {
  public:
    std::string config_path;

    const config::Config& config();
    // For commands that only read: never creates a store.
    store::Store& store();
    // For commands that write: creates the store when there is none yet.
    store::Store& writable_store();
    // Both refuse (store::KeysNotCurrent) a store keyed with other
    // normalisation settings than the configuration's: a check or an add
    // would use keys the store does not hold. `fblctl rekey` and
    // `fblctl migrate` take the store as it is.
    store::Store& store_as_is();

  private:
    store::Store& open(store::OpenMode mode);
    store::Store& checked(store::Store& store, bool writing);

    std::unique_ptr<config::Config> config_;
    std::unique_ptr<store::Store> store_;
    bool keys_checked_ = false;
};

// Exit statuses of fblctl, documented in --help and the README.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFound = 1;        // check: a suppressed address; parse: a non-report
inline constexpr int kExitUsage = 2;        // bad arguments, unreadable input
inline constexpr int kExitDataErr = 65;     // EX_DATAERR: bad input data
inline constexpr int kExitSoftware = 70;    // EX_SOFTWARE: internal error
inline constexpr int kExitCantCreate = 73;  // EX_CANTCREAT: cannot write output or store
inline constexpr int kExitTempFail = 75;    // EX_TEMPFAIL: store unavailable, try again
inline constexpr int kExitConfig = 78;      // EX_CONFIG: bad configuration

}  // namespace fbl::cli
