#include "web/console/sessions.h"

#include <algorithm>

#include "common/crypto.h"

namespace fbl::web::console {
namespace {

constexpr std::size_t kSecretBytes = 32;

std::string new_secret() {
    return crypto::base64url_encode(crypto::random_bytes(kSecretBytes));
}

}  // namespace

SessionTable::SessionTable(std::chrono::seconds idle, std::chrono::seconds lifetime,
                           std::size_t max_sessions)
    : idle_(idle), lifetime_(lifetime), max_sessions_(std::max<std::size_t>(1, max_sessions)) {}

Session SessionTable::open(ConsoleUser user, Clock::time_point now) {
    Session session{new_secret(), std::move(user), new_secret(), now, now};
    std::lock_guard lock(mutex_);
    while (sessions_.size() >= max_sessions_) {
        drop_least_recently_used();
    }
    sessions_.emplace(session.id, session);
    return session;
}

std::optional<Session> SessionTable::use(const std::string& id, Clock::time_point now) {
    std::lock_guard lock(mutex_);
    auto found = sessions_.find(id);
    if (found == sessions_.end()) {
        return std::nullopt;
    }
    if (expired(found->second, now)) {
        sessions_.erase(found);
        return std::nullopt;
    }
    found->second.last_used = now;
    return found->second;
}

void SessionTable::close(const std::string& id) {
    std::lock_guard lock(mutex_);
    sessions_.erase(id);
}

void SessionTable::update_user(const std::string& id, const ConsoleUser& user) {
    std::lock_guard lock(mutex_);
    if (auto found = sessions_.find(id); found != sessions_.end()) {
        found->second.user = user;
    }
}

std::size_t SessionTable::size() const {
    std::lock_guard lock(mutex_);
    return sessions_.size();
}

bool SessionTable::expired(const Session& session, Clock::time_point now) const {
    return now - session.last_used >= idle_ || now - session.created >= lifetime_;
}

// Linear, but only when the table is full: at most once per login.
void SessionTable::drop_least_recently_used() {
    auto oldest = std::min_element(
        sessions_.begin(), sessions_.end(),
        [](const auto& a, const auto& b) { return a.second.last_used < b.second.last_used; });
    if (oldest != sessions_.end()) {
        sessions_.erase(oldest);
    }
}

}  // namespace fbl::web::console
