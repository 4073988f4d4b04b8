#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "web/console/console_user.h"

// Console sessions, kept in fblweb's memory: a session id is 32 random
// bytes in an HttpOnly cookie, and each session carries its own CSRF token.
// A restart logs everyone out, which is the safe direction.
namespace fbl::web::console {

struct Session {
    std::string id;  // base64url of 32 random bytes
    ConsoleUser user;
    std::string csrf_token;  // base64url of 32 random bytes, in every form
    std::chrono::steady_clock::time_point created{};
    std::chrono::steady_clock::time_point last_used{};
};

class SessionTable {
  public:
    using Clock = std::chrono::steady_clock;
    SessionTable(std::chrono::seconds idle, std::chrono::seconds lifetime,
                 std::size_t max_sessions = 10000);

    // A new session for a user who just logged in. A full table drops the
    // session unused the longest.
    Session open(ConsoleUser user, Clock::time_point now);
    // The live session with that id, its last use moved to now; an idle or
    // too old session is ended and nullopt.
    std::optional<Session> use(const std::string& id, Clock::time_point now);
    void close(const std::string& id);
    // The user's role changed or they were removed: their sessions follow.
    void update_user(const std::string& id, const ConsoleUser& user);
    std::size_t size() const;

  private:
    bool expired(const Session& session, Clock::time_point now) const;
    void drop_least_recently_used();

    std::chrono::seconds idle_;
    std::chrono::seconds lifetime_;
    std::size_t max_sessions_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, Session> sessions_;
};

}  // namespace fbl::web::console
