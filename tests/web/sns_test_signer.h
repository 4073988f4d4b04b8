#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "web/hooks/sns_message.h"

// Signs SNS messages as SNS does, with a test CA and a leaf certificate
// made here with OpenSSL at test time: our own keys, nothing fetched.
namespace fbl::web::hooks::testing {

struct TestCertificate {
    std::string common_name = "sns.amazonaws.com";
    std::chrono::system_clock::time_point not_before;
    std::chrono::system_clock::time_point not_after;
};

class TestSnsSigner {
  public:
    explicit TestSnsSigner(const TestCertificate& certificate);
    ~TestSnsSigner();
    TestSnsSigner(const TestSnsSigner&) = delete;
    TestSnsSigner& operator=(const TestSnsSigner&) = delete;

    const std::string& certificate_pem() const { return certificate_pem_; }
    // Base64 of the leaf key's RSA signature over text.
    std::string sign(std::string_view text, SnsSignatureVersion version) const;
    // Signs message (its SignatureVersion, Signature) as SNS would.
    void sign(SnsMessage& message) const;

  private:
    struct Keys;
    std::unique_ptr<Keys> keys_;
    std::string certificate_pem_;
};

}  // namespace fbl::web::hooks::testing
