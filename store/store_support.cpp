#include "store/store_support.h"

#include <algorithm>
#include <cstdlib>

#include <fmt/format.h>
#include <pwd.h>
#include <unistd.h>

namespace fbl::store {

std::string current_actor() {
    if (const char* sudo_user = std::getenv("SUDO_USER"); sudo_user && *sudo_user) {
        return sudo_user;
    }
    if (const passwd* entry = getpwuid(geteuid()); entry && entry->pw_name) {
        return entry->pw_name;
    }
    return fmt::format("uid {}", geteuid());
}

std::vector<const Suppression*> in_key_order(const std::vector<Suppression>& entries) {
    std::vector<const Suppression*> ordered;
    ordered.reserve(entries.size());
    for (const auto& entry : entries) {
        ordered.push_back(&entry);
    }
    std::stable_sort(ordered.begin(), ordered.end(),
                     [](const auto* a, const auto* b) { return a->key < b->key; });
    return ordered;
}

std::string rekey_note(const std::string& new_key) {
    return "re-keyed to " + new_key;
}

std::string first_recipient_key(const Complaint& complaint) {
    return complaint.recipients.empty() ? std::string() : complaint.recipients.front().key;
}

}  // namespace fbl::store
