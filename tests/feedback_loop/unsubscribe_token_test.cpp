#include "feedback_loop/unsubscribe_token.h"

#include <chrono>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include "common/crypto.h"
#include "feedback_loop/reference.h"

namespace fbl::feedback_loop {
namespace {

using Status = UnsubscribeCheck::Status;
using std::chrono::seconds;

config::ReferenceKey make_key(const std::string& id, const std::string& bytes) {
    return config::ReferenceKey{id, config::Secret(bytes, "test")};
}

const config::ReferenceKey kOld = make_key("k1", "0123456789abcdef-old-key-material");
const config::ReferenceKey kNew = make_key("k2", "fedcba9876543210-new-key-material");
constexpr std::int64_t kIssued = 1'790'000'000;
constexpr seconds kLifetime{365 * 86400};
const auto kNow = std::chrono::system_clock::time_point(seconds(kIssued + 60));

UnsubscribeClaims claims() {
    return UnsubscribeClaims{"Jane.Doe@example.org", "spring-sale-2026", kIssued};
}

UnsubscribeCheck verify(const std::string& token,
                        const std::vector<config::ReferenceKey>& keys = {kOld},
                        std::chrono::system_clock::time_point now = kNow) {
    return verify_unsubscribe(token, keys, kLifetime, now);
}

// The token's dot-separated parts: version, key id, payload, tag.
std::vector<std::string> parts_of(const std::string& token) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (auto dot = token.find('.'); dot != std::string::npos; dot = token.find('.', start)) {
        parts.push_back(token.substr(start, dot - start));
        start = dot + 1;
    }
    parts.push_back(token.substr(start));
    return parts;
}

std::string join(const std::vector<std::string>& parts) {
    return parts[0] + "." + parts[1] + "." + parts[2] + "." + parts[3];
}

char flipped(char c) {
    return c == 'A' ? 'B' : 'A';
}

TEST(UnsubscribeTokenTest, RoundTrips) {
    auto token = UnsubscribeSigner(kOld).sign(claims());
    EXPECT_TRUE(token.starts_with("u1.k1."));
    EXPECT_EQ(token.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                      "0123456789-_."),
              std::string::npos);
    auto check = verify(token);
    ASSERT_EQ(check.status, Status::valid) << to_string(check.status);
    EXPECT_EQ(check.key_id, "k1");
    EXPECT_EQ(check.claims.recipient, "Jane.Doe@example.org");
    EXPECT_EQ(check.claims.mailing_id, "spring-sale-2026");
    EXPECT_EQ(check.claims.issued_at, kIssued);
}

TEST(UnsubscribeTokenTest, RoundTripsUtf8AddressAndNoMailing) {
    UnsubscribeClaims utf8{"jürgen.o'neil+tag@bücher.example", "", kIssued};
    auto check = verify(UnsubscribeSigner(kOld).sign(utf8));
    ASSERT_EQ(check.status, Status::valid);
    EXPECT_EQ(check.claims.recipient, utf8.recipient);
    EXPECT_TRUE(check.claims.mailing_id.empty());
}

TEST(UnsubscribeTokenTest, EditedPayloadIsBadTag) {
    auto token = UnsubscribeSigner(kOld).sign(claims());
    auto parts = parts_of(token);
    auto forged = parts_of(UnsubscribeSigner(kOld).sign({"victim@example.org", "", kIssued}));
    parts[2] = forged[2];  // someone else's address under the original tag
    EXPECT_EQ(verify(join(parts)).status, Status::bad_tag);
}

TEST(UnsubscribeTokenTest, EditedByteIsBadTag) {
    auto parts = parts_of(UnsubscribeSigner(kOld).sign(claims()));
    auto payload_edit = parts;
    payload_edit[2][4] = flipped(payload_edit[2][4]);
    EXPECT_EQ(verify(join(payload_edit)).status, Status::bad_tag);
    auto tag_edit = parts;
    tag_edit[3][5] = flipped(tag_edit[3][5]);
    EXPECT_EQ(verify(join(tag_edit)).status, Status::bad_tag);
}

TEST(UnsubscribeTokenTest, TruncatedIsMalformed) {
    auto token = UnsubscribeSigner(kOld).sign(claims());
    EXPECT_EQ(verify(token.substr(0, token.size() - 1)).status, Status::malformed);
    EXPECT_EQ(verify(token.substr(0, token.rfind('.'))).status, Status::malformed);
    EXPECT_EQ(verify("").status, Status::malformed);
    EXPECT_EQ(verify(token + ".x").status, Status::malformed);
    EXPECT_EQ(verify(token + "%2F").status, Status::malformed);
}

TEST(UnsubscribeTokenTest, WrongKeyId) {
    auto token = UnsubscribeSigner(kOld).sign(claims());
    EXPECT_EQ(verify(token, {kNew}).status, Status::unknown_key);
    // The same material under another id: the id is signed too.
    auto parts = parts_of(token);
    parts[1] = "k2";
    EXPECT_EQ(verify(join(parts), {kOld, make_key("k2", kOld.key.reveal())}).status,
              Status::bad_tag);
}

TEST(UnsubscribeTokenTest, RotationOldKeyVerifiesNewSigns) {
    auto old_token = UnsubscribeSigner(kOld).sign(claims());
    auto new_token = UnsubscribeSigner(kNew).sign(claims());
    EXPECT_TRUE(new_token.starts_with("u1.k2."));
    EXPECT_EQ(verify(old_token, {kOld, kNew}).status, Status::valid);
    EXPECT_EQ(verify(new_token, {kOld, kNew}).status, Status::valid);
    EXPECT_EQ(verify(old_token, {kNew}).status, Status::unknown_key);
}

TEST(UnsubscribeTokenTest, EveryKeyWithTheIdIsTried) {
    auto token = UnsubscribeSigner(kOld).sign(claims());
    auto wrong = make_key("k1", "another-key-material-for-k1-0000");
    EXPECT_EQ(verify(token, {wrong, kOld}).status, Status::valid);
    EXPECT_EQ(verify(token, {wrong}).status, Status::bad_tag);
}

TEST(UnsubscribeTokenTest, ExpiredAndFuture) {
    auto token = UnsubscribeSigner(kOld).sign(claims());
    auto issued = std::chrono::system_clock::time_point(seconds(kIssued));
    EXPECT_EQ(verify(token, {kOld}, issued + kLifetime).status, Status::valid);
    auto expired = verify(token, {kOld}, issued + kLifetime + seconds(1));
    EXPECT_EQ(expired.status, Status::expired);
    EXPECT_EQ(expired.claims.recipient, "Jane.Doe@example.org");
    EXPECT_EQ(verify(token, {kOld}, issued - kReferenceFutureSkew).status, Status::valid);
    EXPECT_EQ(verify(token, {kOld}, issued - kReferenceFutureSkew - seconds(1)).status,
              Status::future);
}

TEST(UnsubscribeTokenTest, OverlongTokenIsRefusedBeforeDecoding) {
    // A valid token padded with a tag part that would decode: refused on length alone.
    auto parts = parts_of(UnsubscribeSigner(kOld).sign(claims()));
    parts[2] = crypto::base64url_encode(std::string(kMaxUnsubscribeToken, 'x'));
    auto check = verify(join(parts));
    EXPECT_EQ(check.status, Status::malformed);
    EXPECT_TRUE(check.key_id.empty()) << "parsed beyond the length check";
}

TEST(UnsubscribeTokenTest, SignRefusesOverlongClaims) {
    UnsubscribeSigner signer(kOld);
    std::string longest_address(kMaxUnsubscribeRecipient - 12, 'a');
    longest_address += "@example.org";
    UnsubscribeClaims longest{longest_address, std::string(kMaxUnsubscribeMailingId, 'm'), kIssued};
    auto token = signer.sign(longest);
    EXPECT_LE(token.size(), kMaxUnsubscribeToken);
    EXPECT_EQ(verify(token).status, Status::valid);
    longest.recipient += "x";
    EXPECT_THROW(signer.sign(longest), std::invalid_argument);
    EXPECT_THROW(signer.sign({"", "", kIssued}), std::invalid_argument);
    EXPECT_THROW(signer.sign({"bad\xff@example.org", "", kIssued}), std::invalid_argument);
    // Within the length cap, but escaping grows it past the payload cap.
    EXPECT_THROW(signer.sign({std::string(200, '\x01'), "", kIssued}), std::invalid_argument);
}

// "u1.k1.<payload>" of a genuine token: what its tag is computed over, after the domain.
std::string unsubscribe_token_signed_part() {
    auto token = UnsubscribeSigner(kOld).sign(claims());
    return token.substr(0, token.rfind('.'));
}

// Domain separation: the same key signs both, and neither passes for the other,
// not even with its version prefix swapped.
TEST(UnsubscribeTokenTest, ReferenceTokenIsRefusedAndViceVersa) {
    ReferenceClaims reference{"jane.doe@example.org", "", "spring-sale-2026", kIssued};
    auto reference_token = sign_reference(reference, kOld);
    EXPECT_EQ(verify(reference_token).status, Status::malformed);
    auto as_unsubscribe = parts_of(reference_token);
    as_unsubscribe[0] = "u1";
    EXPECT_EQ(verify(join(as_unsubscribe)).status, Status::bad_tag);

    // The MAC the reference header uses (over the bare text) is not ours either:
    // only the domain prefix, not the version, stops this one.
    auto signed_part = unsubscribe_token_signed_part();
    auto undomained =
        signed_part + "." + crypto::base64url_encode(ReferenceSigner(kOld).tag(signed_part));
    EXPECT_EQ(verify(undomained).status, Status::bad_tag);

    auto unsubscribe_token = UnsubscribeSigner(kOld).sign(claims());
    EXPECT_NE(verify_reference(unsubscribe_token, {kOld}).status, ReferenceCheck::Status::valid);
    auto as_reference = parts_of(unsubscribe_token);
    as_reference[0] = "v1";
    EXPECT_EQ(verify_reference(join(as_reference), {kOld}).status, ReferenceCheck::Status::bad_tag);
}

TEST(UnsubscribeTokenTest, SignedButUnreadablePayloadIsMalformed) {
    // A genuine tag over a payload without a recipient: never trusted.
    std::string signed_part = "u1.k1." + crypto::base64url_encode(R"({"t":1})");
    std::string token = signed_part + "." +
                        crypto::base64url_encode(crypto::hmac_sha256(
                            kOld.key.reveal(), "fbl-unsubscribe-v1." + signed_part));
    EXPECT_EQ(verify(token).status, Status::malformed);
}

}  // namespace
}  // namespace fbl::feedback_loop
