#pragma once

#include <string>
#include <string_view>

// crypt(3) password hashes through libxcrypt, for the console's users
// (config/users_file.h). New hashes are yescrypt; a stored hash is accepted
// only when it is yescrypt or bcrypt, so an old DES, MD5 or plain-text line
// is refused when the file is read, not trusted at the first login.
namespace fbl::config {

// A password meets the rules fblctl enforces before hashing it.
inline constexpr std::size_t kMinPasswordLength = 10;  // characters
inline constexpr std::size_t kMaxPasswordBytes = 1024;

// Why a password cannot be used ("" = usable): empty, shorter than
// kMinPasswordLength characters, longer than kMaxPasswordBytes bytes, or
// holding a NUL (crypt(3) would cut it there).
std::string password_problem(std::string_view password);

// A new yescrypt hash ("$y$...") of password, salted from the system's
// random source. Throws std::runtime_error when libxcrypt cannot.
std::string hash_password(std::string_view password);

// Why a stored hash is refused ("" = accepted): its method is named
// (DES, MD5, SHA-crypt, plain text...) and the fix given, the hash itself
// never shown.
std::string hash_problem(std::string_view hash);

// Checks a password against an accepted hash; the comparison of the
// computed and stored hash takes time that depends on their length only.
// A password problem or an unusable hash is simply false.
bool password_matches(std::string_view password, const std::string& hash);

}  // namespace fbl::config
