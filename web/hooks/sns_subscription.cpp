#include "web/hooks/sns_subscription.h"

#include "web/hooks/https_get.h"
#include "web/hooks/sns_url.h"

namespace fbl::web::hooks {
namespace {

// The answer is a small XML ConfirmSubscriptionResponse we do not need.
constexpr std::size_t kMaxAnswer = 16 * 1024;

}  // namespace

bool confirm_sns_subscription(const std::string& url, std::chrono::seconds timeout) {
    if (!is_sns_url(url, SnsUrlUse::subscribe)) {
        return false;
    }
    return https_get(url, {timeout, kMaxAnswer}).has_value();
}

}  // namespace fbl::web::hooks
