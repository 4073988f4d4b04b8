#include "common/p256_key.h"

#include <algorithm>
#include <cctype>
#include <memory>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "common/crypto.h"

namespace fbl::crypto {
namespace {

// A PEM public key of any sane type is well under this; anything larger is
// not a key file.
constexpr std::size_t kMaxKeyText = 16 * 1024;

struct KeyFree {
    void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using OwnedKey = std::unique_ptr<EVP_PKEY, KeyFree>;

OwnedKey from_pem(std::string_view text) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(
        BIO_new_mem_buf(text.data(), static_cast<int>(text.size())), &BIO_free);
    if (!bio) {
        return nullptr;
    }
    return OwnedKey(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
}

OwnedKey from_base64_der(std::string_view text) {
    std::string compact;
    std::copy_if(text.begin(), text.end(), std::back_inserter(compact),
                 [](char c) { return std::isspace(static_cast<unsigned char>(c)) == 0; });
    auto der = base64_decode(compact);
    if (!der || der->empty()) {
        return nullptr;
    }
    const auto* cursor = reinterpret_cast<const unsigned char*>(der->data());
    OwnedKey key(d2i_PUBKEY(nullptr, &cursor, static_cast<long>(der->size())));
    // Trailing bytes after the key are not the key SendGrid showed.
    if (key && cursor != reinterpret_cast<const unsigned char*>(der->data()) + der->size()) {
        return nullptr;
    }
    return key;
}

bool is_p256(EVP_PKEY* key) {
    if (!EVP_PKEY_is_a(key, "EC")) {
        return false;
    }
    char group[64] = {};
    std::size_t length = 0;
    if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                       &length) != 1) {
        return false;
    }
    return std::string_view(group, length) == "prime256v1";
}

}  // namespace

std::shared_ptr<const P256PublicKey> P256PublicKey::parse(std::string_view text,
                                                          std::string& problem) {
    if (text.size() > kMaxKeyText) {
        problem = "is too large for a public key";
        return nullptr;
    }
    bool pem = text.find("-----BEGIN") != std::string_view::npos;
    OwnedKey key = pem ? from_pem(text) : from_base64_der(text);
    ERR_clear_error();
    if (!key) {
        problem = pem ? "holds no PEM public key"
                      : "holds neither a PEM public key nor the base64 of a DER public key";
        return nullptr;
    }
    if (!is_p256(key.get())) {
        problem = "holds a public key that is not ECDSA P-256 (prime256v1)";
        return nullptr;
    }
    return std::shared_ptr<const P256PublicKey>(new P256PublicKey(key.release()));
}

P256PublicKey::~P256PublicKey() {
    EVP_PKEY_free(key_);
}

bool P256PublicKey::verify(std::string_view message, std::string_view der_signature) const {
    return verify({message}, der_signature);
}

bool P256PublicKey::verify(std::initializer_list<std::string_view> message_parts,
                           std::string_view der_signature) const {
    if (der_signature.empty()) {
        return false;
    }
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(),
                                                                    &EVP_MD_CTX_free);
    bool good =
        context && EVP_DigestVerifyInit(context.get(), nullptr, EVP_sha256(), nullptr, key_) == 1;
    for (auto part : message_parts) {
        good = good && EVP_DigestVerifyUpdate(context.get(), part.data(), part.size()) == 1;
    }
    good = good && EVP_DigestVerifyFinal(
                       context.get(), reinterpret_cast<const unsigned char*>(der_signature.data()),
                       der_signature.size()) == 1;
    // A stranger's garbage leaves errors on this thread's queue; drop them.
    ERR_clear_error();
    return good;
}

}  // namespace fbl::crypto
