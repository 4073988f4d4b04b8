#pragma once

#include <chrono>
#include <optional>
#include <random>
#include <string_view>

#include "config/config.h"

// When to try a failed CRM request again.
namespace fbl::crm {

using Clock = std::chrono::system_clock;

// What an HTTP answer (or its absence) means for a job.
enum class Outcome {
    success,  // the step did what it should
    done,     // "already so" (404 on an update, a configured done code)
    retry,    // network error, 408, 429, 5xx: try again later
    refresh,  // 401: re-read the credentials, then try again at once (once)
    dead,     // any other 4xx or answer: dead letter now
};

// status 0 = no HTTP answer (connection refused, timeout, TLS error).
Outcome classify(long status, const std::vector<int>& success, const std::vector<int>& done);

// The longest wait a Retry-After can ask for. A larger one (by mistake or
// malice) is clamped, so a time point never overflows; the job still
// dead-letters when the wait passes give_up_after.
inline constexpr std::chrono::seconds kMaxRetryAfter = std::chrono::hours(24 * 7);

// Parses a Retry-After value: delta-seconds or an HTTP date. nullopt when
// malformed. A date in the past yields zero; a wait above kMaxRetryAfter,
// even one no integer holds, yields kMaxRetryAfter.
std::optional<std::chrono::seconds> parse_retry_after(std::string_view value,
                                                      Clock::time_point now);

// Exponential backoff with full jitter: a uniform delay in
// [0, min(max_delay, initial_delay * 2^(attempt-1))], attempt counting from 1.
// Never below one second so a failing CRM is not hammered.
std::chrono::seconds backoff(const config::RetryPolicy& policy, int attempt,
                             std::mt19937_64& random);

// The next attempt time, or nullopt when the job has to be dead-lettered
// because it would exceed give_up_after (counted from the job's creation).
std::optional<Clock::time_point> next_attempt(const config::RetryPolicy& policy, int attempt,
                                              std::optional<std::chrono::seconds> retry_after,
                                              Clock::time_point created_at, Clock::time_point now,
                                              std::mt19937_64& random);

}  // namespace fbl::crm
