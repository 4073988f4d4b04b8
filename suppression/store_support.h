#pragma once

#include <string>
#include <vector>

#include "suppression/records.h"

// Pieces both store backends need, kept in one place.
namespace fbl::suppression {

// Who made a change, for the changes feed: the sudo user, else the OS user.
std::string current_actor();

// The entries in key order: large imports append instead of inserting at
// random, and concurrent writers lock rows in the same order.
std::vector<const Suppression*> in_key_order(const std::vector<Suppression>& entries);

}  // namespace fbl::suppression
