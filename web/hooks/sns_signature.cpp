#include "web/hooks/sns_signature.h"

#include <memory>
#include <optional>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "common/crypto.h"

namespace fbl::web::hooks {
namespace {

struct BioFree {
    void operator()(BIO* bio) const { BIO_free(bio); }
};
struct X509Free {
    void operator()(X509* certificate) const { X509_free(certificate); }
};
struct KeyFree {
    void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct DigestFree {
    void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
};

using Certificate = std::unique_ptr<X509, X509Free>;
using PublicKey = std::unique_ptr<EVP_PKEY, KeyFree>;

Certificate read_certificate(std::string_view pem) {
    std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    if (!bio) {
        return nullptr;
    }
    return Certificate(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

bool valid_at(X509* certificate, std::chrono::system_clock::time_point now) {
    time_t at = std::chrono::system_clock::to_time_t(now);
    return X509_cmp_time(X509_get0_notBefore(certificate), &at) < 0 &&
           X509_cmp_time(X509_get0_notAfter(certificate), &at) > 0;
}

std::optional<std::string> common_name(X509* certificate) {
    X509_NAME* subject = X509_get_subject_name(certificate);
    int index = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
    if (index < 0 || X509_NAME_get_index_by_NID(subject, NID_commonName, index) >= 0) {
        return std::nullopt;  // none, or two: which would be the name?
    }
    ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index));
    return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(data)),
                       static_cast<std::size_t>(ASN1_STRING_length(data)));
}

PublicKey sns_key(std::string_view pem, std::chrono::system_clock::time_point now) {
    auto certificate = read_certificate(pem);
    if (!certificate || !valid_at(certificate.get(), now) ||
        common_name(certificate.get()) != std::string(kSnsCertificateCommonName)) {
        return nullptr;
    }
    PublicKey key(X509_get_pubkey(certificate.get()));
    if (!key || EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_RSA) {
        return nullptr;
    }
    return key;
}

bool verifies(EVP_PKEY* key, std::string_view text, const std::string& signature,
              SnsSignatureVersion version) {
    std::unique_ptr<EVP_MD_CTX, DigestFree> context(EVP_MD_CTX_new());
    const EVP_MD* digest = version == SnsSignatureVersion::v1_sha1 ? EVP_sha1() : EVP_sha256();
    if (!context || EVP_DigestVerifyInit(context.get(), nullptr, digest, nullptr, key) != 1) {
        return false;
    }
    return EVP_DigestVerify(context.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                            signature.size(), reinterpret_cast<const unsigned char*>(text.data()),
                            text.size()) == 1;
}

}  // namespace

const char* to_string(SnsSignatureCheck check) {
    switch (check) {
        case SnsSignatureCheck::valid:
            return "valid";
        case SnsSignatureCheck::bad_certificate:
            return "bad certificate";
        case SnsSignatureCheck::bad_signature:
            return "bad signature";
    }
    return "bad signature";
}

SnsSignatureCheck check_sns_signature(std::string_view certificate_pem, std::string_view text,
                                      std::string_view signature_base64,
                                      SnsSignatureVersion version,
                                      std::chrono::system_clock::time_point now) {
    auto key = sns_key(certificate_pem, now);
    if (!key) {
        return SnsSignatureCheck::bad_certificate;
    }
    auto signature = crypto::base64_decode(signature_base64);
    if (!signature || signature->empty() ||
        static_cast<int>(signature->size()) != EVP_PKEY_get_size(key.get())) {
        return SnsSignatureCheck::bad_signature;
    }
    return verifies(key.get(), text, *signature, version) ? SnsSignatureCheck::valid
                                                          : SnsSignatureCheck::bad_signature;
}

}  // namespace fbl::web::hooks
