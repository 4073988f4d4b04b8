#pragma once

#include <algorithm>
#include <chrono>

// Request rate limit of one adapter. The bucket holds at most one token, so
// requests are spaced by 1/rate: in any window of T seconds at most
// 1 + rate*T requests start, never a burst above the configured rate.
namespace fbl::crm {

class TokenBucket {
  public:
    using Clock = std::chrono::steady_clock;

    explicit TokenBucket(double rate_per_second, Clock::time_point now = Clock::now())
        : rate_(rate_per_second), tokens_(1.0), updated_(now) {}

    bool take(Clock::time_point now) {
        refill(now);
        if (tokens_ < 1.0) {
            return false;
        }
        tokens_ -= 1.0;
        return true;
    }

    // How long until take() will succeed.
    std::chrono::microseconds wait(Clock::time_point now) {
        refill(now);
        if (tokens_ >= 1.0) {
            return std::chrono::microseconds(0);
        }
        auto seconds = (1.0 - tokens_) / rate_;
        return std::chrono::microseconds(static_cast<long long>(seconds * 1e6) + 1);
    }

  private:
    void refill(Clock::time_point now) {
        if (now > updated_) {
            std::chrono::duration<double> elapsed = now - updated_;
            tokens_ = std::min(1.0, tokens_ + elapsed.count() * rate_);
            updated_ = now;
        }
    }

    double rate_;
    double tokens_;
    Clock::time_point updated_;
};

}  // namespace fbl::crm
