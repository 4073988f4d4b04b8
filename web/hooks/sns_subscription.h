#pragma once

#include <chrono>
#include <string>

// Confirming an SNS subscription is one GET of the SubscribeURL that the
// (verified) SubscriptionConfirmation named.
namespace fbl::web::hooks {

// Whether SNS answered 2xx to a GET of url. Refused without any connection
// unless url is an SNS subscribe URL (web/hooks/sns_url.h); https only, no
// redirects, at most 16 KiB of answer read.
bool confirm_sns_subscription(const std::string& url, std::chrono::seconds timeout);

}  // namespace fbl::web::hooks
