#include "suppression/normalize.h"

#include <algorithm>
#include <cstdlib>
#include <memory>

#include <idn2.h>
#include <nlohmann/json.hpp>
#include <unicase.h>
#include <uninorm.h>
#include <unistr.h>

#include "common/text.h"

namespace fbl::suppression {
namespace {

struct FreeDeleter {
    void operator()(void* pointer) const noexcept { std::free(pointer); }
};

NormalizedAddress failure(std::string message) {
    return {{}, std::move(message)};
}

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && is_space(text.front())) {
        text.remove_prefix(1);
    }
    while (!text.empty() && is_space(text.back())) {
        text.remove_suffix(1);
    }
    return text;
}

bool has_control_character(std::string_view text) {
    return std::any_of(text.begin(), text.end(), [](char c) {
        auto octet = static_cast<unsigned char>(c);
        return octet < 0x20 || octet == 0x7f;
    });
}

bool is_ascii(std::string_view text) {
    return std::all_of(text.begin(), text.end(),
                       [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

// NFC, and lower case when asked; the local part may be UTF-8 (RFC 6531).
std::string normalize_local_part(std::string_view local, bool lowercase) {
    if (is_ascii(local)) {
        return lowercase ? text::ascii_lower(local) : std::string(local);
    }
    const auto* input = reinterpret_cast<const std::uint8_t*>(local.data());
    std::size_t length = 0;
    std::unique_ptr<std::uint8_t, FreeDeleter> output(
        lowercase ? u8_tolower(input, local.size(), nullptr, UNINORM_NFC, nullptr, &length)
                  : u8_normalize(UNINORM_NFC, input, local.size(), nullptr, &length));
    if (!output) {
        return {};
    }
    return {reinterpret_cast<const char*>(output.get()), length};
}

bool valid_ascii_domain_character(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_';
}

// A plain ASCII host name (letters, digits, inner hyphens, labels of 1-63
// octets, no "xn--"-style labels) is already its own A-label: lower-casing
// is all IDNA2008 would do, and skipping libidn2 makes bulk imports fast.
bool is_plain_ascii_host(std::string_view domain) {
    if (domain.size() > 253) {
        return false;
    }
    std::size_t start = 0;
    while (start <= domain.size()) {
        std::size_t end = domain.find('.', start);
        std::string_view label =
            domain.substr(start, end == std::string_view::npos ? end : end - start);
        if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-' ||
            (label.size() >= 4 && label[2] == '-' && label[3] == '-')) {
            return false;
        }
        for (char c : label) {
            bool letter_or_digit =
                (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
            if (!letter_or_digit && c != '-') {
                return false;
            }
        }
        if (end == std::string_view::npos) {
            return true;
        }
        start = end + 1;
    }
    return false;
}

// Returns the A-label form, or an error text in `error`.
std::string normalize_domain(std::string_view domain, std::string& error) {
    if (domain.size() >= 2 && domain.front() == '[' && domain.back() == ']') {
        return text::ascii_lower(domain);  // address literal, e.g. [192.0.2.1]
    }
    if (!domain.empty() && domain.back() == '.') {
        domain.remove_suffix(1);  // the root label is implied
    }
    if (domain.empty()) {
        error = "the domain is empty";
        return {};
    }
    for (char c : domain) {
        if (static_cast<unsigned char>(c) < 0x80 && !valid_ascii_domain_character(c)) {
            error = std::string("the domain contains '") + c + "'";
            return {};
        }
    }
    if (domain.front() == '.' || domain.find("..") != std::string_view::npos) {
        error = "the domain has an empty label";
        return {};
    }
    if (is_plain_ascii_host(domain)) {
        return text::ascii_lower(domain);
    }
    std::string input(domain);
    char* output = nullptr;
    int status = idn2_to_ascii_8z(input.c_str(), &output, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
    std::unique_ptr<char, FreeDeleter> owned(output);
    if (status != IDN2_OK) {
        error = std::string("the domain is not a valid IDNA2008 name: ") + idn2_strerror(status);
        return {};
    }
    return text::ascii_lower(owned.get());
}

// RFC 5322 atext, ASCII part; UTF-8 octets count as atext (RFC 6531).
bool is_atext(char c) {
    auto octet = static_cast<unsigned char>(c);
    return octet >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') ||
           std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
}

bool is_dot_atom(std::string_view text) {
    if (text.empty() || text.front() == '.' || text.back() == '.' ||
        text.find("..") != std::string_view::npos) {
        return false;
    }
    return std::all_of(text.begin(), text.end(), [](char c) { return c == '.' || is_atext(c); });
}

// The RFC 5321 (4.1.2) canonical form of a quoted local part: quoted pairs
// resolved, and the quotes dropped when what is left is a dot-atom, since
// "plain"@x and plain@x are one mailbox. Otherwise quoted again, escaping
// only what must be escaped. `quoted` includes its quotes.
std::string canonical_quoted(std::string_view quoted, bool& still_quoted) {
    std::string content;
    std::string_view inner = quoted.substr(1, quoted.size() - 2);
    for (std::size_t i = 0; i < inner.size(); ++i) {
        if (inner[i] == '\\' && i + 1 < inner.size()) {
            ++i;
        }
        content += inner[i];
    }
    still_quoted = !is_dot_atom(content);
    if (!still_quoted) {
        return content;
    }
    std::string requoted = "\"";
    for (char c : content) {
        if (c == '"' || c == '\\') {
            requoted += '\\';
        }
        requoted += c;
    }
    return requoted + '"';
}

bool is_gmail(std::string_view domain) {
    return domain == "gmail.com" || domain == "googlemail.com";
}

}  // namespace

AddressNormalizer::AddressNormalizer(const config::SuppressionSettings& settings)
    : lowercase_local_part_(settings.lowercase_local_part),
      subaddress_delimiters_(settings.subaddress.delimiter),
      gmail_dot_folding_(settings.gmail_dot_folding) {
    for (const auto& domain : settings.subaddress.domains) {
        std::string error;
        std::string ascii = normalize_domain(domain, error);
        subaddress_domains_.push_back(error.empty() ? ascii : text::ascii_lower(domain));
    }
}

std::string AddressNormalizer::settings_description() const {
    std::vector<std::string> domains = subaddress_domains_;
    std::sort(domains.begin(), domains.end());
    domains.erase(std::unique(domains.begin(), domains.end()), domains.end());
    std::string delimiters = subaddress_delimiters_;
    std::sort(delimiters.begin(), delimiters.end());
    delimiters.erase(std::unique(delimiters.begin(), delimiters.end()), delimiters.end());
    if (domains.empty() || delimiters.empty()) {
        domains.clear();  // nothing is stripped either way
        delimiters.clear();
    }
    nlohmann::ordered_json description{{"version", kAlgorithmVersion},
                                       {"lowercase_local_part", lowercase_local_part_},
                                       {"subaddress_domains", domains},
                                       {"subaddress_delimiters", delimiters},
                                       {"gmail_dot_folding", gmail_dot_folding_}};
    return description.dump();
}

bool AddressNormalizer::strips_subaddress(std::string_view ascii_domain) const {
    return !subaddress_delimiters_.empty() &&
           std::find(subaddress_domains_.begin(), subaddress_domains_.end(), ascii_domain) !=
               subaddress_domains_.end();
}

NormalizedAddress AddressNormalizer::normalize(std::string_view raw) const {
    std::string_view address = trim(raw);
    if (!address.empty() && address.front() == '<') {
        if (address.back() != '>') {
            return failure("unbalanced '<' in address");
        }
        address = trim(address.substr(1, address.size() - 2));
    } else if (!address.empty() && address.back() == '>') {
        return failure("unbalanced '>' in address");
    }
    if (address.empty()) {
        return failure("the address is empty");
    }
    if (address.size() > kMaxAddressOctets) {
        return failure("the address is longer than 254 octets");
    }
    if (has_control_character(address)) {
        return failure("the address contains a control character");
    }
    if (u8_check(reinterpret_cast<const std::uint8_t*>(address.data()), address.size()) !=
        nullptr) {
        return failure("the address is not valid UTF-8");
    }
    auto at = address.rfind('@');
    if (at == std::string_view::npos) {
        return failure("the address has no '@'");
    }
    std::string_view local = address.substr(0, at);
    std::string_view domain = address.substr(at + 1);
    if (local.empty()) {
        return failure("the local part (before '@') is empty");
    }
    bool quoted = local.size() >= 2 && local.front() == '"' && local.back() == '"';
    if (!quoted && std::any_of(local.begin(), local.end(),
                               [](char c) { return c == ' ' || c == '@' || c == '"'; })) {
        return failure("the local part contains a space, '@' or '\"' outside quotes");
    }
    std::string error;
    std::string ascii_domain = normalize_domain(domain, error);
    if (!error.empty()) {
        return failure(error);
    }
    std::string canonical_local;
    if (quoted) {
        canonical_local = canonical_quoted(local, quoted);
        local = canonical_local;
    }
    std::string key_local = normalize_local_part(local, lowercase_local_part_);
    if (key_local.empty()) {
        return failure("the local part cannot be normalised");
    }
    if (!quoted && strips_subaddress(ascii_domain)) {
        auto cut = key_local.find_first_of(subaddress_delimiters_);
        if (cut != std::string::npos && cut > 0) {
            key_local.erase(cut);
        }
    }
    if (!quoted && gmail_dot_folding_ && is_gmail(ascii_domain)) {
        std::erase(key_local, '.');
    }
    std::string key = key_local + '@' + ascii_domain;
    if (key.size() > kMaxAddressOctets) {
        return failure("the address is longer than 254 octets once its domain is an A-label");
    }
    return {std::move(key), {}};
}

std::string AddressNormalizer::lookup_key(std::string_view raw) const {
    auto normalized = normalize(raw);
    if (normalized.ok()) {
        return std::move(normalized.key);
    }
    std::string_view address = trim(raw);
    if (address.size() >= 2 && address.front() == '<' && address.back() == '>') {
        address = trim(address.substr(1, address.size() - 2));
    }
    return text::ascii_lower(address);
}

}  // namespace fbl::suppression
