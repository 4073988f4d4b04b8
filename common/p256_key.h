#pragma once

#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>

#include <openssl/types.h>

namespace fbl::crypto {

// An ECDSA public key on NIST P-256 (prime256v1), the curve SendGrid signs
// its Event Webhook with. Loaded once at start, then shared read-only by
// every request thread: OpenSSL 3 allows concurrent verifies with one key.
class P256PublicKey {
  public:
    // The key from text: PEM ("-----BEGIN PUBLIC KEY-----"), or the base64
    // of the DER SubjectPublicKeyInfo as SendGrid's console shows it. Null
    // with `problem` set (never the text itself) when it is neither, or a
    // key of another type or curve.
    static std::shared_ptr<const P256PublicKey> parse(std::string_view text, std::string& problem);

    ~P256PublicKey();
    P256PublicKey(const P256PublicKey&) = delete;
    P256PublicKey& operator=(const P256PublicKey&) = delete;

    // Whether der_signature (an ASN.1 ECDSA-Sig-Value) signs SHA-256 of
    // message with this key. Never throws; a garbled signature is false.
    bool verify(std::string_view message, std::string_view der_signature) const;
    // The same for a message given in parts (a timestamp and a body),
    // without copying them into one.
    bool verify(std::initializer_list<std::string_view> message_parts,
                std::string_view der_signature) const;

  private:
    explicit P256PublicKey(EVP_PKEY* key) : key_(key) {}
    EVP_PKEY* key_ = nullptr;
};

}  // namespace fbl::crypto
