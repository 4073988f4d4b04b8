#include "store/rekey.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace fbl::store {

KeyAlignment check_keys(KeyRecord& store, const AddressNormalizer& normalizer) {
    return {store.key_settings(), normalizer.settings_description()};
}

KeyAlignment require_current_keys(KeyRecord& store, const AddressNormalizer& normalizer) {
    KeyAlignment alignment = check_keys(store, normalizer);
    if (alignment.recorded && !alignment.current()) {
        throw KeysNotCurrent(fmt::format(
            "the store's keys were made with normalisation {} but the configuration now says {}; "
            "run `fblctl rekey` (or restart fblmilter, which re-keys at start) first",
            *alignment.recorded, alignment.configured));
    }
    return alignment;
}

Realignment realign_keys(KeyRecord& store, const AddressNormalizer& normalizer,
                         const std::function<void()>& on_key) {
    Realignment realignment;
    realignment.before = check_keys(store, normalizer);
    if (realignment.before.current()) {
        return realignment;
    }
    realignment.counts =
        store.rekey(realignment.before.configured, [&](const std::string& address) {
            if (on_key) {
                on_key();
            }
            return normalizer.lookup_key(address);
        });
    realignment.rekeyed = true;
    return realignment;
}

std::optional<config::SuppressionSettings> settings_described(const std::string& description,
                                                              config::SuppressionSettings base) {
    try {
        auto json = nlohmann::json::parse(description);
        if (json.at("version").get<int>() != AddressNormalizer::kAlgorithmVersion) {
            return std::nullopt;
        }
        base.lowercase_local_part = json.at("lowercase_local_part").get<bool>();
        base.subaddress.domains = json.at("subaddress_domains").get<std::vector<std::string>>();
        base.subaddress.delimiter = json.at("subaddress_delimiters").get<std::string>();
        base.gmail_dot_folding = json.at("gmail_dot_folding").get<bool>();
    } catch (const nlohmann::json::exception&) {
        return std::nullopt;
    }
    if (AddressNormalizer(base).settings_description() != description) {
        return std::nullopt;  // not written by this version's normaliser
    }
    return base;
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

}  // namespace fbl::store
