#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/records.h"

// Pieces both store backends need, kept in one place.
namespace fbl::store {

// Who made a change, for the changes feed: the sudo user, else the OS user.
std::string current_actor();

// The entries in key order: large imports append instead of inserting at
// random, and concurrent writers lock rows in the same order.
std::vector<const Suppression*> in_key_order(const std::vector<Suppression>& entries);

// store_meta's row for the normalisation the keys were made with.
inline constexpr const char* kKeySettingsName = "key_settings";

// A suppression a re-key moves: its entry carries the new key.
struct MovedSuppression {
    std::string old_key;
    Suppression entry;
};

// complaints.recipient_key: the key the console sorts a complaint by.
std::string first_recipient_key(const Complaint& complaint);
// Sets it again from complaint_recipients where a re-key changed it.
inline constexpr const char* kRefreshRecipientKeys =
    "UPDATE complaints SET recipient_key = coalesce((SELECT r.key FROM complaint_recipients r "
    "WHERE r.complaint_id = complaints.id AND r.position = 0), '') WHERE recipient_key <> "
    "coalesce((SELECT r.key FROM complaint_recipients r WHERE r.complaint_id = complaints.id AND "
    "r.position = 0), '')";

// The change-feed note of a key that a re-key moved to `new_key`.
std::string rekey_note(const std::string& new_key);

}  // namespace fbl::store
