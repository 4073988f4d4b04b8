#include "crm/retry_policy.h"

#include <algorithm>
#include <charconv>
#include <string>

#include <curl/curl.h>

namespace fbl::crm {

Outcome classify(long status, const std::vector<int>& success, const std::vector<int>& done) {
    auto contains = [status](const std::vector<int>& codes) {
        return std::find(codes.begin(), codes.end(), static_cast<int>(status)) != codes.end();
    };
    if (status == 0 || status == 408 || status == 429 || status >= 500) {
        return Outcome::retry;
    }
    if (contains(success)) {
        return Outcome::success;
    }
    if (contains(done)) {
        return Outcome::done;
    }
    if (status == 401) {
        return Outcome::refresh;
    }
    return Outcome::dead;
}

std::optional<std::chrono::seconds> parse_retry_after(std::string_view value,
                                                      Clock::time_point now) {
    while (!value.empty() && value.front() == ' ') {
        value.remove_prefix(1);
    }
    while (!value.empty() && (value.back() == ' ' || value.back() == '\r')) {
        value.remove_suffix(1);
    }
    if (value.empty()) {
        return std::nullopt;
    }
    long long seconds = 0;
    auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    if (end == value.data() + value.size() && error == std::errc::result_out_of_range &&
        value.front() != '-') {
        return kMaxRetryAfter;
    }
    if (error == std::errc() && end == value.data() + value.size()) {
        return seconds < 0 ? std::nullopt
                           : std::optional(std::min(std::chrono::seconds(seconds), kMaxRetryAfter));
    }
    std::string text(value);
    time_t when = curl_getdate(text.c_str(), nullptr);
    if (when < 0) {
        return std::nullopt;
    }
    // In time_t seconds: a date far ahead does not fit a Clock time point.
    auto delta = std::chrono::seconds(when - Clock::to_time_t(now));
    return std::clamp(delta, std::chrono::seconds(0), kMaxRetryAfter);
}

std::chrono::seconds backoff(const config::RetryPolicy& policy, int attempt,
                             std::mt19937_64& random) {
    auto ceiling = policy.initial_delay;
    for (int i = 1; i < attempt && ceiling < policy.max_delay; ++i) {
        ceiling *= 2;
    }
    ceiling = std::min(ceiling, policy.max_delay);
    std::uniform_int_distribution<long long> pick(0, ceiling.count());
    return std::max(std::chrono::seconds(pick(random)), std::chrono::seconds(1));
}

std::optional<Clock::time_point> next_attempt(const config::RetryPolicy& policy, int attempt,
                                              std::optional<std::chrono::seconds> retry_after,
                                              Clock::time_point created_at, Clock::time_point now,
                                              std::mt19937_64& random) {
    auto delay =
        retry_after ? std::min(*retry_after, kMaxRetryAfter) : backoff(policy, attempt, random);
    auto when = now + delay;
    if (when > created_at + policy.give_up_after) {
        return std::nullopt;
    }
    return when;
}

}  // namespace fbl::crm
