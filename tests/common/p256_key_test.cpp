#include "common/p256_key.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/common/p256_signer.h"

namespace fbl::crypto {
namespace {

using ::testing::HasSubstr;

std::shared_ptr<const P256PublicKey> parse(std::string_view text, std::string* why = nullptr) {
    std::string problem;
    auto key = P256PublicKey::parse(text, problem);
    if (why != nullptr) {
        *why = problem;
    }
    return key;
}

TEST(P256PublicKey, TakesTheBase64DerSendGridShowsAndPem) {
    testing::TestKeyPair pair;
    auto signature = pair.sign("1600112502[]");
    auto from_der = parse(pair.public_base64_der());
    ASSERT_TRUE(from_der);
    EXPECT_TRUE(from_der->verify("1600112502[]", signature));
    auto from_pem = parse(pair.public_pem());
    ASSERT_TRUE(from_pem);
    EXPECT_TRUE(from_pem->verify("1600112502[]", signature));
    // As pasted from a console: wrapped, with a trailing newline.
    std::string wrapped = pair.public_base64_der();
    wrapped.insert(40, "\n");
    EXPECT_TRUE(parse(wrapped + "\n"));
}

TEST(P256PublicKey, RefusesAnotherCurveAndWhatIsNoKey) {
    std::string why;
    EXPECT_FALSE(parse(testing::TestKeyPair("P-384").public_base64_der(), &why));
    EXPECT_THAT(why, HasSubstr("not ECDSA P-256"));
    EXPECT_FALSE(parse("not a key", &why));
    EXPECT_THAT(why, HasSubstr("neither"));
    EXPECT_FALSE(parse("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", &why));
    EXPECT_FALSE(parse("", &why));
    EXPECT_FALSE(parse(std::string(100000, 'A'), &why));
    // A key followed by bytes that are not part of it.
    auto der = base64_decode(testing::TestKeyPair().public_base64_der());
    EXPECT_FALSE(parse(base64_encode(*der + "xyz")));
}

TEST(P256PublicKey, AGarbledSignatureIsFalseNotAnError) {
    testing::TestKeyPair pair;
    auto key = parse(pair.public_base64_der());
    auto signature = pair.sign("message");
    EXPECT_FALSE(key->verify("messagE", signature));
    EXPECT_FALSE(key->verify("message", ""));
    EXPECT_FALSE(key->verify("message", "garbage"));
    EXPECT_FALSE(key->verify("message", signature + "x"));
    EXPECT_FALSE(key->verify("message", testing::TestKeyPair().sign("message")));
}

}  // namespace
}  // namespace fbl::crypto
