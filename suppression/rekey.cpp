#include "suppression/rekey.h"

#include <fmt/format.h>

namespace fbl::suppression {

KeyAlignment check_keys(Store& store, const AddressNormalizer& normalizer) {
    return {store.key_settings(), normalizer.settings_description()};
}

void require_current_keys(Store& store, const AddressNormalizer& normalizer) {
    KeyAlignment alignment = check_keys(store, normalizer);
    if (alignment.recorded && !alignment.current()) {
        throw KeysNotCurrent(fmt::format(
            "the store's keys were made with normalisation {} but the configuration now says {}; "
            "run `fblctl rekey` (or restart fblmilter, which re-keys at start) first",
            *alignment.recorded, alignment.configured));
    }
}

Realignment realign_keys(Store& store, const AddressNormalizer& normalizer) {
    Realignment realignment;
    realignment.before = check_keys(store, normalizer);
    if (realignment.before.current()) {
        return realignment;
    }
    realignment.counts =
        store.rekey(realignment.before.configured,
                    [&](const std::string& address) { return normalizer.lookup_key(address); });
    realignment.rekeyed = true;
    return realignment;
}

std::string describe(const Realignment& realignment) {
    if (!realignment.rekeyed) {
        return fmt::format("keys are current ({})", realignment.before.configured);
    }
    const RekeyCounts& counts = realignment.counts;
    return fmt::format(
        "re-keyed the store for normalisation {} (was {}): {} suppressions moved ({} merged into "
        "another), {} complaint recipients, {} send-log rows",
        realignment.before.configured, realignment.before.recorded.value_or("not recorded"),
        counts.suppressions, counts.merged, counts.complaint_recipients, counts.sends);
}

}  // namespace fbl::suppression
