#pragma once

#include <string>
#include <string_view>

// The URLs an Amazon SNS message names (SigningCertURL, SubscribeURL) are
// written by whoever sent the request: we fetch or open one only when it is
// a URL SNS itself serves, decided from its text before any connection.
namespace fbl::web::hooks {

enum class SnsUrlUse {
    signing_certificate,  // path ends in ".pem", no query
    subscribe,            // path "/", query with Action=ConfirmSubscription
};

// Whether url is https://sns.<region>.amazonaws.com/..., spelled plainly:
// ASCII letters, digits and "-._~:/?&=%+" only (so no userinfo '@', no
// fragment, no blanks), no port, the host exactly three labels around the
// region (a host that merely starts so, like sns.us-east-1.amazonaws.com.evil.com,
// is refused). China's amazonaws.com.cn hosts are refused: their certificates
// were never checked against a real message here, and a wrong guess about
// them would be a hole, not a convenience.
bool is_sns_url(std::string_view url, SnsUrlUse use);

// The last path segment of a signing-certificate URL that is_sns_url
// accepts ("SimpleNotificationService-xxxx.pem"); "" for any other URL.
std::string certificate_file_name(std::string_view url);

}  // namespace fbl::web::hooks
