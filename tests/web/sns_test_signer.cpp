#include "sns_test_signer.h"

#include <stdexcept>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "common/crypto.h"

namespace fbl::web::hooks::testing {
namespace {

struct KeyFree {
    void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct X509Free {
    void operator()(X509* certificate) const { X509_free(certificate); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;
using Certificate = std::unique_ptr<X509, X509Free>;

void require(bool ok, const char* what) {
    if (!ok) {
        throw std::runtime_error(std::string("test certificate: ") + what);
    }
}

Key rsa_key() {
    Key key(EVP_RSA_gen(2048));
    require(key != nullptr, "EVP_RSA_gen");
    return key;
}

X509_NAME* name_with_cn(const std::string& common_name) {
    X509_NAME* name = X509_NAME_new();
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("fblmilter tests"), -1, -1,
                               0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                               0);
    return name;
}

Certificate issue(EVP_PKEY* subject_key, const std::string& subject_cn, EVP_PKEY* issuer_key,
                  const std::string& issuer_cn, const TestCertificate& validity, long serial) {
    Certificate certificate(X509_new());
    X509* x = certificate.get();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
    ASN1_TIME_set(X509_getm_notBefore(x),
                  std::chrono::system_clock::to_time_t(validity.not_before));
    ASN1_TIME_set(X509_getm_notAfter(x), std::chrono::system_clock::to_time_t(validity.not_after));
    X509_NAME* subject = name_with_cn(subject_cn);
    X509_NAME* issuer = name_with_cn(issuer_cn);
    X509_set_subject_name(x, subject);
    X509_set_issuer_name(x, issuer);
    X509_NAME_free(subject);
    X509_NAME_free(issuer);
    X509_set_pubkey(x, subject_key);
    require(X509_sign(x, issuer_key, EVP_sha256()) > 0, "X509_sign");
    return certificate;
}

std::string pem_of(X509* certificate) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
    require(PEM_write_bio_X509(bio.get(), certificate) == 1, "PEM_write_bio_X509");
    char* data = nullptr;
    long size = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(size));
}

}  // namespace

struct TestSnsSigner::Keys {
    Key leaf;
};

TestSnsSigner::TestSnsSigner(const TestCertificate& certificate) : keys_(new Keys) {
    Key ca_key = rsa_key();
    keys_->leaf = rsa_key();
    auto leaf = issue(keys_->leaf.get(), certificate.common_name, ca_key.get(), "fblmilter test CA",
                      certificate, 2);
    certificate_pem_ = pem_of(leaf.get());
}

TestSnsSigner::~TestSnsSigner() = default;

std::string TestSnsSigner::sign(std::string_view text, SnsSignatureVersion version) const {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(),
                                                                    EVP_MD_CTX_free);
    const EVP_MD* digest = version == SnsSignatureVersion::v1_sha1 ? EVP_sha1() : EVP_sha256();
    require(EVP_DigestSignInit(context.get(), nullptr, digest, nullptr, keys_->leaf.get()) == 1,
            "EVP_DigestSignInit");
    std::size_t size = 0;
    auto bytes = reinterpret_cast<const unsigned char*>(text.data());
    require(EVP_DigestSign(context.get(), nullptr, &size, bytes, text.size()) == 1, "size");
    std::string signature(size, '\0');
    require(EVP_DigestSign(context.get(), reinterpret_cast<unsigned char*>(signature.data()), &size,
                           bytes, text.size()) == 1,
            "EVP_DigestSign");
    signature.resize(size);
    return crypto::base64_encode(signature);
}

void TestSnsSigner::sign(SnsMessage& message) const {
    message.signature = sign(sns_string_to_sign(message), message.signature_version);
}

}  // namespace fbl::web::hooks::testing
