#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

// A token bucket per client address, so one client hammering /u/ with
// guessed tokens cannot keep the store busy for everyone else. The table is
// bounded: a flood from many addresses forgets the idlest first, which at
// worst gives those addresses a fresh bucket.
namespace fbl::web {

struct RateLimit {
    double per_second = 0;  // 0 = no limit
    double burst = 0;
};

class RateLimiter {
  public:
    using Clock = std::chrono::steady_clock;
    explicit RateLimiter(std::size_t max_clients = 10000) : max_clients_(max_clients) {}

    // Whether `client` may make one more request now under `limit`.
    bool allow(const std::string& client, const RateLimit& limit, Clock::time_point now);

  private:
    struct Bucket {
        double tokens = 0;
        Clock::time_point refilled{};
    };
    void forget_idlest();

    std::size_t max_clients_;
    std::mutex mutex_;
    std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace fbl::web
