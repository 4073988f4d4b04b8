#pragma once

#include <functional>
#include <optional>
#include <stdexcept>
#include <string>

#include "store/store.h"
#include "suppression/normalize.h"

namespace fbl::store {

using suppression::AddressNormalizer;

// Whether the store's keys were made the way `normalizer` makes them now.
// Turning on gmail_dot_folding, say, gives addresses new keys: a store left
// as it was would stop matching its suppressions, silently (issue 14 item 13).
struct KeyAlignment {
    std::optional<std::string> recorded;  // Store::key_settings(); nullopt: none yet
    std::string configured;               // normalizer.settings_description()

    bool current() const { return recorded == configured; }
};

KeyAlignment check_keys(KeyRecord& store, const AddressNormalizer& normalizer);

// The store's keys were recorded as made another way than the configuration
// makes them now: answers would be wrong until it is re-keyed.
class KeysNotCurrent : public std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Returns what it checked; throws KeysNotCurrent, naming the command that
// mends it, when the store recorded other settings. A store that recorded none passes: it is keyed
// the configured way from its first start on.
KeyAlignment require_current_keys(KeyRecord& store, const AddressNormalizer& normalizer);

// What realign_keys did.
struct Realignment {
    KeyAlignment before;
    bool rekeyed = false;  // false: the keys were current, nothing was written
    RekeyCounts counts;
};

// Re-keys the store from its addresses when its keys are not current (a
// store that recorded nothing is re-keyed too: it may predate the record),
// all in one transaction. Run by fblmilter at start and by `fblctl rekey`.
// on_key, when given, is called for each row keyed (fblctl's progress).
Realignment realign_keys(KeyRecord& store, const AddressNormalizer& normalizer,
                         const std::function<void()>& on_key = {});

// The settings a description (AddressNormalizer::settings_description)
// stands for, on top of `base` for what does not decide keys (expiry,
// scope); nullopt when it is not one this fblmilter writes (another
// version's). A node adopts the store's settings with it when another
// re-keyed the store.
std::optional<config::SuppressionSettings> settings_described(const std::string& description,
                                                              config::SuppressionSettings base);

// One line for the log and fblctl: what changed, with the counts.
std::string describe(const Realignment& realignment);

}  // namespace fbl::store
