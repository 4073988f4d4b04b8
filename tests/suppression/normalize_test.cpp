#include "suppression/normalize.h"

#include <string>

#include <gtest/gtest.h>

namespace fbl::suppression {
namespace {

struct Case {
    const char* input;
    const char* key;  // expected key; nullptr = must be rejected
};

config::SuppressionSettings defaults() {
    return {};
}

config::SuppressionSettings with_subaddress_and_gmail() {
    config::SuppressionSettings settings;
    settings.subaddress.domains = {"example.com", "gmail.com", "bücher.example"};
    settings.subaddress.delimiter = "+-";
    settings.gmail_dot_folding = true;
    return settings;
}

config::SuppressionSettings case_preserving() {
    config::SuppressionSettings settings;
    settings.lowercase_local_part = false;
    return settings;
}

void expect_cases(const AddressNormalizer& normalizer, std::initializer_list<Case> cases) {
    for (const auto& item : cases) {
        SCOPED_TRACE(std::string("input: [") + item.input + "]");
        auto result = normalizer.normalize(item.input);
        if (item.key) {
            EXPECT_TRUE(result.ok()) << result.error;
            EXPECT_EQ(result.key, item.key);
        } else {
            EXPECT_FALSE(result.ok()) << "accepted as " << result.key;
            EXPECT_TRUE(result.key.empty());
            EXPECT_FALSE(result.error.empty());
        }
    }
}

TEST(AddressNormalizer, DefaultSettings) {
    AddressNormalizer normalizer(defaults());
    expect_cases(normalizer,
                 {
                     {"user@example.com", "user@example.com"},
                     {"User@Example.COM", "user@example.com"},
                     {"<User@Example.com>", "user@example.com"},
                     {"  <user@example.com>  ", "user@example.com"},
                     {"< user@example.com >", "user@example.com"},
                     {"\tuser@example.com\r\n", "user@example.com"},
                     {"user@example.com.", "user@example.com"},
                     {"user+tag@example.com", "user+tag@example.com"},  // no stripping by default
                     {"first.last@gmail.com", "first.last@gmail.com"},  // no dot folding by default
                     {"user@bücher.example", "user@xn--bcher-kva.example"},
                     {"user@xn--bcher-kva.example", "user@xn--bcher-kva.example"},
                     {"user@XN--BCHER-KVA.example", "user@xn--bcher-kva.example"},
                     {"user@BÜCHER.example", "user@xn--bcher-kva.example"},
                     {"user@faß.de", "user@xn--fa-hia.de"},  // non-transitional: ß stays ß
                     {"user@[192.0.2.1]", "user@[192.0.2.1]"},
                     {"user@Mail-1.Example.COM", "user@mail-1.example.com"},
                     {"user@under_score.example", "user@under_score.example"},
                     {"\"john doe\"@example.com", "\"john doe\"@example.com"},
                     {"\"a@b\"@example.com", "\"a@b\"@example.com"},
                     {"ÜSER@example.com", "üser@example.com"},  // UTF-8 local part lower-cased
                     {"u\xCC\x88ser@example.com", "\xC3\xBCser@example.com"},  // NFD input -> NFC
                     {"用户@例え.テスト", "用户@xn--r8jz45g.xn--zckzah"},
                 });
}

TEST(AddressNormalizer, BadInputIsRejected) {
    AddressNormalizer normalizer(defaults());
    expect_cases(
        normalizer,
        {
            {"", nullptr},
            {"   ", nullptr},
            {"<>", nullptr},
            {"user", nullptr},
            {"user.example.com", nullptr},
            {"@example.com", nullptr},
            {"user@", nullptr},
            {"user@.", nullptr},
            {"user@exa mple.com", nullptr},
            {"us er@example.com", nullptr},
            {"user@@example.com", nullptr},
            {"user@example..com", nullptr},
            {"user@.example.com", nullptr},
            {"<user@example.com", nullptr},
            {"user@example.com>", nullptr},
            {"user\x01@example.com", nullptr},
            {"user@exam\x7fple.com", nullptr},
            {"user\n@example.com", nullptr},
            {"user@example\xff.com", nullptr},  // not UTF-8
            {"user@exa!mple.com", nullptr},
            {"user@-example-.com", nullptr},  // hyphens at label edges are not IDNA2008
            {"user@example-.com", nullptr},
            {"user@xn--zz.example", nullptr},  // not a valid A-label
            {"user@ab--cd.example", nullptr},  // reserved "??--" label
            {"user@aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example",
             nullptr},  // 64
        });
}

TEST(AddressNormalizer, LengthLimitIs254Octets) {
    AddressNormalizer normalizer(defaults());
    std::string domain = "@example.com";
    std::string longest = std::string(254 - domain.size(), 'a') + domain;
    ASSERT_EQ(longest.size(), 254u);
    auto accepted = normalizer.normalize(longest);
    EXPECT_TRUE(accepted.ok()) << accepted.error;
    auto rejected = normalizer.normalize("b" + longest);
    EXPECT_FALSE(rejected.ok());
    EXPECT_NE(rejected.error.find("254"), std::string::npos);
}

TEST(AddressNormalizer, ErrorsSayWhatIsWrong) {
    AddressNormalizer normalizer(defaults());
    EXPECT_EQ(normalizer.normalize("").error, "the address is empty");
    EXPECT_EQ(normalizer.normalize("nobody").error, "the address has no '@'");
    EXPECT_EQ(normalizer.normalize("a\x02@b.c").error, "the address contains a control character");
}

TEST(AddressNormalizer, SubaddressAndGmailRulesApplyOnlyToConfiguredDomains) {
    AddressNormalizer normalizer(with_subaddress_and_gmail());
    expect_cases(
        normalizer,
        {
            {"user+news@example.com", "user@example.com"},
            {"user-news@example.com", "user@example.com"},  // every configured delimiter
            {"User+A+B@Example.com", "user@example.com"},
            {"user+news@other.example", "user+news@other.example"},  // not configured
            {"+news@example.com", "+news@example.com"},  // nothing left before the tag: keep
            {"first.last+x@gmail.com", "firstlast@gmail.com"},
            {"F.i.r.s.t@googlemail.com", "first@googlemail.com"},
            {"first.last@example.com", "first.last@example.com"},      // dots matter elsewhere
            {"user+x@bücher.example", "user@xn--bcher-kva.example"},   // configured as U-label
            {"\"user+x\"@example.com", "user@example.com"},            // = user+x@example.com
            {"\"user x+y\"@example.com", "\"user x+y\"@example.com"},  // truly quoted: kept
        });
}

// RFC 5321 4.1.2: a quoted string whose content is a dot-atom names the
// same mailbox as the dot-atom; "plain"@x must not slip past plain@x.
TEST(AddressNormalizer, QuotedLocalPartsTakeTheirCanonicalForm) {
    AddressNormalizer normalizer(defaults());
    expect_cases(normalizer, {
                                 {"\"plain\"@example.com", "plain@example.com"},
                                 {"<\"Plain\"@Example.com>", "plain@example.com"},
                                 {"\"first.last\"@example.com", "first.last@example.com"},
                                 {"\"p\\lain\"@example.com", "plain@example.com"},
                                 {"\"a..b\"@example.com", "\"a..b\"@example.com"},
                                 {"\".a\"@example.com", "\".a\"@example.com"},
                                 {"\"a\\\"b\"@example.com", "\"a\\\"b\"@example.com"},
                             });
}

TEST(AddressNormalizer, LookupKeyNeverSkipsAnAddress) {
    AddressNormalizer normalizer(defaults());
    EXPECT_EQ(normalizer.lookup_key("<\"plain\"@example.com>"), "plain@example.com");
    // Not an address we can normalise: still looked up, as its lower-cased
    // form, so a suppression stored under that spelling refuses it.
    auto odd = normalizer.normalize("<Odd Address@Example.com>");
    ASSERT_FALSE(odd.ok());
    EXPECT_EQ(normalizer.lookup_key("<Odd Address@Example.com>"), "odd address@example.com");
    EXPECT_EQ(normalizer.lookup_key("<>"), "");
}

TEST(AddressNormalizer, LowercasingCanBeTurnedOff) {
    AddressNormalizer normalizer(case_preserving());
    expect_cases(normalizer, {
                                 {"User@Example.COM", "User@example.com"},
                                 {"ÜSER@BÜCHER.example", "ÜSER@xn--bcher-kva.example"},
                             });
}

}  // namespace
}  // namespace fbl::suppression
