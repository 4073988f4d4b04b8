#include "feedback_loop/reference.h"

#include <atomic>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace fbl::feedback_loop {
namespace {

config::ReferenceKey make_key(const std::string& id, const std::string& bytes) {
    return config::ReferenceKey{id, config::Secret(bytes, "test")};
}

const config::ReferenceKey kOld = make_key("k1", "0123456789abcdef-old-key-material");
const config::ReferenceKey kNew = make_key("k2", "fedcba9876543210-new-key-material");

ReferenceClaims single_claims() {
    ReferenceClaims claims;
    claims.recipient = "jane.doe@example.org";
    claims.mailing_id = "spring-sale-2026";
    claims.timestamp = 1'790'000'000;
    return claims;
}

// Re-encodes the payload part of a token with different JSON, keeping the tag.
std::string replace_payload(const std::string& token, const std::string& new_payload_b64) {
    auto first = token.find('.');
    auto second = token.find('.', first + 1);
    auto third = token.find('.', second + 1);
    return token.substr(0, second + 1) + new_payload_b64 + token.substr(third);
}

TEST(ReferenceTest, RoundTripsSingleRecipientClaims) {
    auto token = sign_reference(single_claims(), kOld);
    EXPECT_TRUE(token.starts_with("v1.k1."));
    EXPECT_EQ(token.find_first_of("=+/ \r\n"), std::string::npos);
    auto check = verify_reference(token, {kOld});
    ASSERT_EQ(check.status, ReferenceCheck::Status::valid) << to_string(check.status);
    EXPECT_EQ(check.key_id, "k1");
    EXPECT_EQ(check.claims.recipient, "jane.doe@example.org");
    EXPECT_EQ(check.claims.mailing_id, "spring-sale-2026");
    EXPECT_EQ(check.claims.timestamp, 1'790'000'000);
    EXPECT_TRUE(check.claims.send_ref.empty());
}

TEST(ReferenceTest, RoundTripsUtf8AndSendRef) {
    ReferenceClaims claims;
    claims.recipient = "jürgen.o'neil+tag@bücher.example";
    claims.mailing_id = "m\"id.with.dots=and%";
    claims.timestamp = 1;
    auto check = verify_reference(sign_reference(claims, kNew), {kNew});
    ASSERT_EQ(check.status, ReferenceCheck::Status::valid);
    EXPECT_EQ(check.claims.recipient, claims.recipient);
    EXPECT_EQ(check.claims.mailing_id, claims.mailing_id);

    ReferenceClaims multi;
    multi.send_ref = "20261128.abc@mail.example.com";
    multi.timestamp = 2;
    auto multi_check = verify_reference(sign_reference(multi, kNew), {kNew});
    ASSERT_EQ(multi_check.status, ReferenceCheck::Status::valid);
    EXPECT_TRUE(multi_check.claims.recipient.empty());
    EXPECT_EQ(multi_check.claims.send_ref, multi.send_ref);
}

TEST(ReferenceTest, ToleratesFoldingAndBlanks) {
    auto token = sign_reference(single_claims(), kOld);
    std::string folded = " " + token.substr(0, 20) + "\r\n\t" + token.substr(20) + "  ";
    EXPECT_EQ(verify_reference(folded, {kOld}).status, ReferenceCheck::Status::valid);
}

TEST(ReferenceTest, TamperedRecipientIsBadTag) {
    auto token = sign_reference(single_claims(), kOld);
    auto forged_payload = sign_reference(
        ReferenceClaims{"victim@example.org", "", "spring-sale-2026", 1'790'000'000}, kOld);
    auto second = forged_payload.find('.', 3);
    auto third = forged_payload.find('.', second + 1);
    auto tampered = replace_payload(token, forged_payload.substr(second + 1, third - second - 1));
    EXPECT_EQ(verify_reference(tampered, {kOld}).status, ReferenceCheck::Status::bad_tag);

    // A single flipped character in the tag is caught as well.
    auto flipped = token;
    flipped.back() = flipped.back() == 'A' ? 'Q' : 'A';
    auto status = verify_reference(flipped, {kOld}).status;
    EXPECT_TRUE(status == ReferenceCheck::Status::bad_tag ||
                status == ReferenceCheck::Status::malformed)
        << to_string(status);
    EXPECT_NE(status, ReferenceCheck::Status::valid);
}

TEST(ReferenceTest, WrongKeyMaterialIsBadTag) {
    auto token = sign_reference(single_claims(), kOld);
    EXPECT_EQ(verify_reference(token, {make_key("k1", "another-sixteen-byte-key")}).status,
              ReferenceCheck::Status::bad_tag);
}

TEST(ReferenceTest, UnknownKeyId) {
    auto token = sign_reference(single_claims(), kOld);
    auto check = verify_reference(token, {kNew});
    EXPECT_EQ(check.status, ReferenceCheck::Status::unknown_key);
    EXPECT_EQ(check.key_id, "k1");
    EXPECT_TRUE(check.claims.recipient.empty());
}

TEST(ReferenceTest, RotationOldKeyStillVerifies) {
    auto old_token = sign_reference(single_claims(), kOld);
    auto new_token = sign_reference(single_claims(), kNew);
    std::vector<config::ReferenceKey> both{kNew, kOld};
    EXPECT_EQ(verify_reference(old_token, both).status, ReferenceCheck::Status::valid);
    EXPECT_EQ(verify_reference(new_token, both).status, ReferenceCheck::Status::valid);
    EXPECT_EQ(verify_reference(old_token, both).key_id, "k1");
}

TEST(ReferenceTest, AbsentAndMalformed) {
    EXPECT_EQ(verify_reference("", {kOld}).status, ReferenceCheck::Status::absent);
    EXPECT_EQ(verify_reference("  \r\n ", {kOld}).status, ReferenceCheck::Status::absent);
    for (const char* junk : {"v1", "v2.k1.abc.def", "v1.k1.abc", "v1.k1.!!!.abc", "v1..abc.def",
                             "v1.k1.eyJ0IjoxfQ.short", "hello world"}) {
        EXPECT_EQ(verify_reference(junk, {kOld}).status, ReferenceCheck::Status::malformed) << junk;
    }
}

TEST(ReferenceTest, RefusesOverlongInputAndBadKeys) {
    auto claims = single_claims();
    claims.mailing_id.assign(kMaxReferenceMailingId + 1, 'm');
    EXPECT_THROW(sign_reference(claims, kOld), std::invalid_argument);
    claims = single_claims();
    claims.send_ref.assign(kMaxReferenceSendRef + 1, 's');
    EXPECT_THROW(sign_reference(claims, kOld), std::invalid_argument);
    claims = single_claims();
    claims.recipient = "bad\xff@utf8.example";
    EXPECT_THROW(sign_reference(claims, kOld), std::invalid_argument);
    EXPECT_THROW(sign_reference(single_claims(), make_key("k.1", "0123456789abcdef")),
                 std::invalid_argument);
    EXPECT_THROW(sign_reference(single_claims(), make_key("k1", "")), std::invalid_argument);
}

TEST(ReferenceTest, LongestClaimsStayUnder998Octets) {
    ReferenceClaims claims;
    claims.recipient.assign(kMaxReferenceRecipient, 'r');
    claims.send_ref.assign(kMaxReferenceSendRef, 's');
    claims.mailing_id.assign(kMaxReferenceMailingId, 'm');
    claims.timestamp = 9'999'999'999;
    auto token =
        sign_reference(claims, make_key(std::string(kMaxReferenceKeyId, 'k'), "0123456789abcdef"));
    EXPECT_LT(token.size() + std::string("X-FBL-Ref: ").size(), 998u);
}

// The tag is plain HMAC-SHA256: RFC 4231, test case 2.
TEST(ReferenceTest, TagIsHmacSha256) {
    const ReferenceSigner signer(make_key("rfc4231", "Jefe"));
    std::string hex;
    for (unsigned char byte : signer.tag("what do ya want for nothing?")) {
        hex += fmt::format("{:02x}", byte);
    }
    EXPECT_EQ(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

// The milter's worker threads share one signer; every token must verify.
TEST(ReferenceTest, OneSignerSignsFromManyThreads) {
    const ReferenceSigner signer(kNew);
    EXPECT_EQ(signer.key_id(), "k2");
    std::atomic<int> valid{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 300; ++i) {
                auto claims = single_claims();
                claims.recipient = "user" + std::to_string(t * 1000 + i) + "@example.org";
                auto check = verify_reference(signer.sign(claims), {kOld, kNew});
                if (check.status == ReferenceCheck::Status::valid &&
                    check.claims.recipient == claims.recipient) {
                    ++valid;
                }
            }
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    EXPECT_EQ(valid.load(), 8 * 300);
    EXPECT_EQ(signer.sign(single_claims()), sign_reference(single_claims(), kNew));
}

TEST(ReferenceTest, SignerRefusesBadKeysAtConstruction) {
    EXPECT_THROW(ReferenceSigner(make_key("k.1", "0123456789abcdef")), std::invalid_argument);
    EXPECT_THROW(ReferenceSigner(make_key("k1", "")), std::invalid_argument);
}

TEST(ReferenceTest, ActiveKey) {
    config::ReferenceHeader header;
    header.keys = {kOld, kNew};
    EXPECT_EQ(active_reference_key(header), nullptr);
    header.active_key = "k2";
    ASSERT_NE(active_reference_key(header), nullptr);
    EXPECT_EQ(active_reference_key(header)->id, "k2");
}

}  // namespace
}  // namespace fbl::feedback_loop
