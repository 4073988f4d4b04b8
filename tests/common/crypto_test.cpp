#include "common/crypto.h"

#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace fbl::crypto {
namespace {

std::string hex(std::string_view bytes) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string text;
    for (unsigned char byte : bytes) {
        text.push_back(kDigits[byte >> 4]);
        text.push_back(kDigits[byte & 0xf]);
    }
    return text;
}

std::string bytes(std::initializer_list<unsigned char> list) {
    return std::string(list.begin(), list.end());
}

// RFC 4648 section 10, and section 9's bytes that need '+' and '/'.
const std::vector<std::pair<std::string, std::string>> kBase64Vectors = {
    {"", ""},
    {"f", "Zg=="},
    {"fo", "Zm8="},
    {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="},
    {"fooba", "Zm9vYmE="},
    {"foobar", "Zm9vYmFy"},
    {bytes({0x14, 0xfb, 0x9c, 0x03, 0xd9, 0x7e}), "FPucA9l+"},
    {bytes({0x14, 0xfb, 0x9c, 0x03, 0xd9}), "FPucA9k="},
    {bytes({0x14, 0xfb, 0x9c, 0x03}), "FPucAw=="},
    {bytes({0xfb, 0xff}), "+/8="},
    {std::string("\0\xff\x10", 3), "AP8Q"},
};

TEST(Base64, Rfc4648Vectors) {
    for (const auto& [plain, encoded] : kBase64Vectors) {
        EXPECT_EQ(base64_encode(plain), encoded);
        EXPECT_EQ(base64_decode(encoded), plain) << encoded;
    }
}

// OpenSSL's EVP_DecodeBlock would take most of these: it skips blanks, drops
// trailing '-', and reads '=' anywhere as zero bits.
TEST(Base64, RejectsWhatIsNotPaddedStandardBase64) {
    const std::vector<std::string_view> texts = {"Zg",
                                                 "Zg=",
                                                 "Zm9vY",
                                                 "Z===",
                                                 "====",
                                                 "Zg==Zg==",
                                                 "Zm=v",
                                                 "    Zm9v",
                                                 "Zm9v    ",
                                                 "Zm9v----",
                                                 "Zm9v\n\n\n\n",
                                                 "Zm9-",
                                                 "Zm9_",
                                                 "Zm 9",
                                                 "Zm9v\xC4\xC4\xC4\xC4",
                                                 std::string_view("Zm\0v", 4)};
    for (std::string_view text : texts) {
        EXPECT_FALSE(base64_decode(text)) << text;
    }
}

// RFC 4648 section 3.5 lets a decoder accept non-zero pad bits; base64_decode
// does, as its callers only read back what an encoder wrote.
TEST(Base64, AcceptsNonZeroPadBits) {
    EXPECT_EQ(base64_decode("Zh=="), "f");
}

TEST(Base64Url, Rfc4648VectorsWithoutPadding) {
    const std::vector<std::pair<std::string, std::string>> vectors = {
        {"", ""},
        {"f", "Zg"},
        {"fo", "Zm8"},
        {"foo", "Zm9v"},
        {"foob", "Zm9vYg"},
        {"fooba", "Zm9vYmE"},
        {"foobar", "Zm9vYmFy"},
        {bytes({0x14, 0xfb, 0x9c, 0x03, 0xd9, 0x7e}), "FPucA9l-"},
        {bytes({0xfb, 0xff}), "-_8"},
    };
    for (const auto& [plain, encoded] : vectors) {
        EXPECT_EQ(base64url_encode(plain), encoded);
        EXPECT_EQ(base64url_decode(encoded), plain) << encoded;
    }
}

// A signed token must have one spelling: no padding, no standard alphabet,
// no stray bits in the last character.
TEST(Base64Url, RejectsAnythingButTheCanonicalSpelling) {
    for (std::string_view text : {"Z", "Zm9vY", "Zg==", "Zm8=", "+/8", "Zm+v", "Zm/v", "Zh", "Zm9",
                                  "Zm 9", "Zm9.", "Zm9\xC4", "Zm9v\xC4"}) {
        EXPECT_FALSE(base64url_decode(text)) << text;
    }
}

// RFC 4231, test cases 1 and 2.
TEST(HmacSha256, Rfc4231Vectors) {
    std::string key1(20, '\x0b');
    const char* tag1 = "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7";
    EXPECT_EQ(hex(hmac_sha256(key1, "Hi There")), tag1);
    EXPECT_EQ(hex(HmacSha256(key1).sign("Hi There")), tag1);

    const char* tag2 = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
    EXPECT_EQ(hex(hmac_sha256("Jefe", "what do ya want for nothing?")), tag2);
    EXPECT_EQ(hex(HmacSha256("Jefe").sign("what do ya want for nothing?")), tag2);
}

// A webhook secret may be empty; OpenSSL must not take that for "no key".
TEST(HmacSha256, EmptyKeyAndText) {
    EXPECT_EQ(hex(hmac_sha256("", "")),
              "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
    EXPECT_EQ(hex(HmacSha256(std::string_view()).sign(std::string_view())),
              "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

// One prepared key signs for every milter thread at once.
TEST(HmacSha256, OnePreparedKeySignsFromManyThreads) {
    const HmacSha256 mac("Jefe");
    std::vector<std::string> tags(4);
    std::vector<std::thread> threads;
    for (auto& tag : tags) {
        threads.emplace_back([&mac, &tag] {
            for (int i = 0; i < 200; ++i) {
                tag = mac.sign("what do ya want for nothing?");
            }
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    for (const auto& tag : tags) {
        EXPECT_EQ(hex(tag), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }
}

TEST(Sha256, OfAbc) {
    const char* abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    EXPECT_EQ(sha256_hex("abc"), abc);
    EXPECT_EQ(Sha256().update("a").update("").update("bc").hex(), abc);
    EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

// hex() reads the digest so far without ending the hash.
TEST(Sha256, HexLeavesTheHashRunning) {
    Sha256 hash;
    hash.update("ab");
    EXPECT_EQ(hash.hex(), sha256_hex("ab"));
    EXPECT_EQ(hash.hex(), sha256_hex("ab"));
    hash.update("c");
    EXPECT_EQ(hash.hex(), sha256_hex("abc"));
}

}  // namespace
}  // namespace fbl::crypto
