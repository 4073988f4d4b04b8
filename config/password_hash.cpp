#include "config/password_hash.h"

#include <array>
#include <memory>
#include <stdexcept>

#include <crypt.h>
#include <string.h>  // explicit_bzero

#include "common/crypto.h"

namespace fbl::config {
namespace {

constexpr std::string_view kYescrypt = "$y$";
constexpr std::string_view kAccepted[] = {kYescrypt, "$2b$", "$2y$"};

// Names of the methods libxcrypt knows but we refuse, by prefix.
struct Refused {
    std::string_view prefix;
    std::string_view method;
};
constexpr Refused kRefused[] = {
    {"$1$", "MD5-crypt"},     {"$2a$", "bcrypt $2a$ (buggy variant)"},
    {"$2x$", "bcrypt $2x$"},  {"$3$", "NT-hash"},
    {"$5$", "SHA-256-crypt"}, {"$6$", "SHA-512-crypt"},
    {"$7$", "scrypt"},        {"$gy$", "gost-yescrypt"},
    {"$md5", "Sun MD5"},      {"$sha1$", "SHA-1-crypt"},
    {"_", "BSDI DES"},
};

std::size_t character_count(std::string_view utf8) {
    std::size_t count = 0;
    for (unsigned char byte : utf8) {
        count += (byte & 0xC0) != 0x80;  // continuation bytes do not start a character
    }
    return count;
}

std::string refused_method(std::string_view hash) {
    for (const auto& refused : kRefused) {
        if (hash.starts_with(refused.prefix)) {
            return std::string(refused.method);
        }
    }
    if (!hash.starts_with('$')) {
        return hash.size() == 13 ? "traditional DES" : "plain text or an unknown method";
    }
    return "";
}

}  // namespace

std::string password_problem(std::string_view password) {
    if (password.empty()) {
        return "the password is empty";
    }
    if (password.size() > kMaxPasswordBytes) {
        return "the password is longer than 1024 bytes";
    }
    if (password.find('\0') != std::string_view::npos) {
        return "the password holds a NUL byte";
    }
    if (character_count(password) < kMinPasswordLength) {
        return "the password is shorter than 10 characters";
    }
    return "";
}

std::string hash_password(std::string_view password) {
    std::array<char, CRYPT_GENSALT_OUTPUT_SIZE> setting{};
    // Count 0 and no entropy: libxcrypt's default cost and its own random salt.
    if (crypt_gensalt_rn(kYescrypt.data(), 0, nullptr, 0, setting.data(),
                         static_cast<int>(setting.size())) == nullptr) {
        throw std::runtime_error("libxcrypt cannot make a yescrypt salt");
    }
    auto data = std::make_unique<crypt_data>();
    std::string secret(password);
    const char* hashed = crypt_rn(secret.c_str(), setting.data(), data.get(), sizeof(crypt_data));
    if (hashed == nullptr || hashed[0] == '*') {
        throw std::runtime_error("libxcrypt cannot hash the password");
    }
    std::string result(hashed);
    explicit_bzero(data.get(), sizeof(crypt_data));
    return result;
}

std::string hash_problem(std::string_view hash) {
    constexpr std::string_view kFix =
        "; only yescrypt ($y$) and bcrypt ($2b$, $2y$) are accepted: set a new password with "
        "`fblctl user passwd`";
    if (auto method = refused_method(hash); !method.empty()) {
        return "the hash uses " + method + ", a weak or legacy method" + std::string(kFix);
    }
    bool accepted = false;
    for (auto prefix : kAccepted) {
        accepted = accepted || hash.starts_with(prefix);
    }
    if (!accepted || crypt_checksalt(std::string(hash).c_str()) != CRYPT_SALT_OK) {
        return "the hash is not one libxcrypt reads" + std::string(kFix);
    }
    return "";
}

bool password_matches(std::string_view password, const std::string& hash) {
    // No length minimum here: it binds new passwords, not a hash an
    // administrator wrote in by hand.
    if (password.empty() || password.size() > kMaxPasswordBytes ||
        password.find('\0') != std::string_view::npos) {
        return false;
    }
    auto data = std::make_unique<crypt_data>();
    std::string secret(password);
    const char* computed = crypt_rn(secret.c_str(), hash.c_str(), data.get(), sizeof(crypt_data));
    bool same =
        computed != nullptr && computed[0] != '*' && crypto::same_in_constant_time(computed, hash);
    explicit_bzero(data.get(), sizeof(crypt_data));
    explicit_bzero(secret.data(), secret.size());
    return same;
}

}  // namespace fbl::config
