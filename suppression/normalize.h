#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"

namespace fbl::suppression {

// The outcome of normalising one address: either a key or a reason why the
// input is not an address. Exactly one of the two is non-empty.
struct NormalizedAddress {
    std::string key;
    std::string error;

    bool ok() const noexcept { return error.empty(); }
};

// Turns any form of an address that the MTA or a report gives into the
// suppression key, so that every spelling of one mailbox finds one entry:
//  - surrounding space and one pair of angle brackets are removed;
//  - the domain is lower-cased and converted to its IDNA2008 A-label
//    (libidn2, non-transitional, NFC input): "bücher.example" and
//    "xn--bcher-kva.example" give the same key;
//  - a quoted local part takes its RFC 5321 canonical form: quoted pairs
//    resolved, quotes dropped when the rest is a dot-atom;
//  - the local part is NFC-normalised and, unless configured off,
//    lower-cased (UTF-8 local parts are kept as UTF-8);
//  - for configured domains "+tag" (any configured delimiter character and
//    what follows) is dropped, and when enabled dots are ignored in
//    gmail.com / googlemail.com local parts.
// Inputs that are empty, lack an "@", contain control characters or spaces,
// are not UTF-8, or exceed 254 octets are rejected with a readable error.
// Thread safe: normalize() is const and keeps no state.
class AddressNormalizer {
  public:
    // Raised when a change to normalize() would give an address another key
    // than it had: stores keyed before then are re-keyed at the next start.
    static constexpr int kAlgorithmVersion = 1;

    explicit AddressNormalizer(const config::SuppressionSettings& settings);

    NormalizedAddress normalize(std::string_view raw) const;
    // The key to look `raw` up with when it must not be skipped (RCPT): its
    // normalised key, or when it does not normalise, its trimmed, unbracketed,
    // ASCII-lower-cased form, so the lookup fails closed (issue 14).
    std::string lookup_key(std::string_view raw) const;
    // What decides the keys, as canonical JSON: two normalisers that describe
    // themselves alike give every address the same key. The store records it
    // (Store::key_settings) so a configuration change is seen and re-keyed.
    std::string settings_description() const;

  private:
    bool strips_subaddress(std::string_view ascii_domain) const;

    bool lowercase_local_part_;
    std::vector<std::string> subaddress_domains_;  // A-labels, lower case
    std::string subaddress_delimiters_;
    bool gmail_dot_folding_;
};

// The longest address SMTP can carry (RFC 5321 path minus the brackets).
inline constexpr std::size_t kMaxAddressOctets = 254;

}  // namespace fbl::suppression
