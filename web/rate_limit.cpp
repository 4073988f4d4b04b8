#include "web/rate_limit.h"

#include <algorithm>
#include <vector>

namespace fbl::web {

bool RateLimiter::allow(const std::string& client, const RateLimit& limit, Clock::time_point now) {
    if (limit.per_second <= 0) {
        return true;
    }
    double capacity = std::max(limit.burst, 1.0);
    std::lock_guard lock(mutex_);
    auto found = buckets_.find(client);
    if (found == buckets_.end()) {
        if (buckets_.size() >= max_clients_) {
            forget_idlest();
        }
        found = buckets_.emplace(client, Bucket{capacity, now}).first;
    }
    Bucket& bucket = found->second;
    std::chrono::duration<double> elapsed = now - bucket.refilled;
    bucket.tokens = std::min(capacity, bucket.tokens + elapsed.count() * limit.per_second);
    bucket.refilled = now;
    if (bucket.tokens < 1.0) {
        return false;
    }
    bucket.tokens -= 1.0;
    return true;
}

// Linear, but only when the table is full, and it then frees a tenth of it.
void RateLimiter::forget_idlest() {
    std::vector<std::pair<Clock::time_point, std::string>> by_age;
    by_age.reserve(buckets_.size());
    for (const auto& [client, bucket] : buckets_) {
        by_age.emplace_back(bucket.refilled, client);
    }
    std::size_t drop = std::max<std::size_t>(1, by_age.size() / 10);
    std::nth_element(by_age.begin(), by_age.begin() + static_cast<std::ptrdiff_t>(drop - 1),
                     by_age.end());
    for (std::size_t index = 0; index < drop; ++index) {
        buckets_.erase(by_age[index].second);
    }
}

}  // namespace fbl::web
