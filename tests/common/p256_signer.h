#pragma once

// A P-256 key pair made in the test, to sign what a provider would: header-
// only, on OpenSSL directly, so the signing side shares no code with the
// verifier under test.
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "common/crypto.h"

namespace fbl::testing {

class TestKeyPair {
  public:
    // curve: "P-256" for SendGrid's; another to test a refusal.
    explicit TestKeyPair(const char* curve = "P-256") : key_(EVP_EC_gen(curve), &EVP_PKEY_free) {
        if (!key_) {
            throw std::runtime_error("EVP_EC_gen failed");
        }
    }

    // The public key as SendGrid's console shows it: base64 of the DER SPKI.
    std::string public_base64_der() const {
        unsigned char* der = nullptr;
        int length = i2d_PUBKEY(key_.get(), &der);
        std::string bytes(reinterpret_cast<char*>(der), static_cast<std::size_t>(length));
        OPENSSL_free(der);
        return crypto::base64_encode(bytes);
    }

    std::string public_pem() const {
        std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
        PEM_write_bio_PUBKEY(bio.get(), key_.get());
        char* data = nullptr;
        long length = BIO_get_mem_data(bio.get(), &data);
        return std::string(data, static_cast<std::size_t>(length));
    }

    // The raw DER ECDSA signature of SHA-256(message).
    std::string sign(std::string_view message) const {
        std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(),
                                                                        &EVP_MD_CTX_free);
        std::size_t length = 0;
        EVP_DigestSignInit(context.get(), nullptr, EVP_sha256(), nullptr, key_.get());
        const auto* bytes = reinterpret_cast<const unsigned char*>(message.data());
        EVP_DigestSign(context.get(), nullptr, &length, bytes, message.size());
        std::string signature(length, '\0');
        EVP_DigestSign(context.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                       bytes, message.size());
        signature.resize(length);
        return signature;
    }

  private:
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key_;
};

}  // namespace fbl::testing
