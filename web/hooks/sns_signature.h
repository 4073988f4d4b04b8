#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "web/hooks/sns_message.h"

// Whether an SNS message's signature is good, with OpenSSL.
namespace fbl::web::hooks {

// The subject CN of the certificates SNS signs with. Our test CA issues
// its leaf with the same CN, so the check is exercised, not skipped.
inline constexpr std::string_view kSnsCertificateCommonName = "sns.amazonaws.com";

enum class SnsSignatureCheck {
    valid,
    bad_certificate,  // not one X.509 PEM, outside its validity, not CN=sns.amazonaws.com, no RSA
                      // key
    bad_signature,    // not base64, or not the key's signature over text
};

const char* to_string(SnsSignatureCheck check);

// RSA PKCS#1 v1.5 with SHA-1 (SignatureVersion 1) or SHA-256 (2) over
// text, checked with the public key of certificate_pem. The chain is not
// checked here: the certificate was fetched over verified TLS from an SNS
// host, or placed in certificate_dir by the admin.
SnsSignatureCheck check_sns_signature(std::string_view certificate_pem, std::string_view text,
                                      std::string_view signature_base64,
                                      SnsSignatureVersion version,
                                      std::chrono::system_clock::time_point now);

}  // namespace fbl::web::hooks
