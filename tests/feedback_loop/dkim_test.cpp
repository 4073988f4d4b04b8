// The reporter's DKIM signature, verified with libopendkim against a key from
// a local file (the file query method): no DNS. The RSA key is generated at
// test time and never stored.
#include "feedback_loop/dkim.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "feedback_loop/intake.h"
#include "feedback_loop/opendkim.h"
#include "fixture.h"

namespace fbl::feedback_loop {
namespace {

using test_support::fixture;

struct TestKey {
    std::string private_pem;
    std::string public_base64;  // SubjectPublicKeyInfo DER, as DKIM p= wants
};

TestKey generate_key() {
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_RSA_gen(2048), EVP_PKEY_free);
    EXPECT_TRUE(key);
    std::unique_ptr<BIO, decltype(&BIO_free)> pem(BIO_new(BIO_s_mem()), BIO_free);
    PEM_write_bio_PrivateKey(pem.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr);
    char* data = nullptr;
    long size = BIO_get_mem_data(pem.get(), &data);
    TestKey result{std::string(data, static_cast<std::size_t>(size)), ""};
    int der_size = i2d_PUBKEY(key.get(), nullptr);
    std::string der(static_cast<std::size_t>(der_size), '\0');
    auto* cursor = reinterpret_cast<unsigned char*>(der.data());
    i2d_PUBKEY(key.get(), &cursor);
    std::string b64(4 * ((der.size() + 2) / 3) + 1, '\0');
    int length = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(b64.data()),
                                 reinterpret_cast<const unsigned char*>(der.data()),
                                 static_cast<int>(der.size()));
    b64.resize(static_cast<std::size_t>(length));
    result.public_base64 = b64;
    return result;
}

std::string crlf(const std::string& text) {
    std::string out;
    for (char c : text) {
        if (c == '\n') {
            out.push_back('\r');
        }
        out.push_back(c);
    }
    return out;
}

// Signs a CRLF message with libopendkim, returning it with the new header on top.
std::string dkim_sign_message(const std::string& message, const TestKey& key,
                              const std::string& domain) {
    DKIM_LIB* lib = dkim_init(nullptr, nullptr);
    DKIM_STAT status = DKIM_STAT_OK;
    DKIM* dkim =
        dkim_sign(lib, reinterpret_cast<const unsigned char*>("test"), nullptr,
                  reinterpret_cast<dkim_sigkey_t>(const_cast<char*>(key.private_pem.c_str())),
                  reinterpret_cast<const unsigned char*>("sel"),
                  reinterpret_cast<const unsigned char*>(domain.c_str()), DKIM_CANON_RELAXED,
                  DKIM_CANON_RELAXED, DKIM_SIGN_RSASHA256, -1, &status);
    EXPECT_NE(dkim, nullptr);
    EXPECT_EQ(status, DKIM_STAT_OK);
    std::string copy = message;
    EXPECT_EQ(dkim_chunk(dkim, reinterpret_cast<u_char*>(copy.data()), copy.size()), DKIM_STAT_OK);
    EXPECT_EQ(dkim_chunk(dkim, nullptr, 0), DKIM_STAT_OK);
    EXPECT_EQ(dkim_eom(dkim, nullptr), DKIM_STAT_OK);
    std::string header(8192, '\0');
    std::string prefix = std::string(DKIM_SIGNHEADER) + ": ";
    EXPECT_EQ(dkim_getsighdr(dkim, reinterpret_cast<u_char*>(header.data()), header.size(),
                             prefix.size()),
              DKIM_STAT_OK);
    header.resize(header.find('\0'));
    dkim_free(dkim);
    dkim_close(lib);
    return prefix + header + "\r\n" + message;
}

class DkimTest : public ::testing::Test {
  protected:
    void SetUp() override {
        std::string pattern = (std::filesystem::temp_directory_path() / "fbl-dkim-XXXXXX").string();
        ASSERT_NE(mkdtemp(pattern.data()), nullptr);
        dir_ = pattern;
        key_ = generate_key();
        settings_.reporter_domains = {"provider.example"};
        settings_.dkim_key_file = (dir_ / "keys").string();
        std::ofstream(settings_.dkim_key_file)
            << "sel._domainkey.fbl.provider.example v=DKIM1; k=rsa; p=" << key_.public_base64
            << "\n"
            << "sel._domainkey.elsewhere.example v=DKIM1; k=rsa; p=" << key_.public_base64 << "\n";
        // The fixture's own signature is a placeholder; sign afresh.
        report_ = crlf(fixture("standard.eml"));
        auto start = report_.find("DKIM-Signature:");
        auto end = report_.find("Authentication-Results:");
        report_.erase(start, end - start);
        // Without our reference header (the fixture's is a malformed placeholder).
        auto reference = report_.find("X-FBL-Ref:");
        report_.erase(reference, report_.find('\n', reference) + 1 - reference);
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    std::filesystem::path dir_;
    TestKey key_;
    config::FeedbackSettings settings_;
    std::string report_;
};

TEST_F(DkimTest, SignedByReporterDomainVerifies) {
    auto signed_report = dkim_sign_message(report_, key_, "fbl.provider.example");
    auto verdict = verify_reporter_dkim(signed_report, settings_);
    EXPECT_TRUE(verdict.passed) << verdict.detail;
    EXPECT_EQ(verdict.domain, "fbl.provider.example");
}

TEST_F(DkimTest, LineEndingsDoNotMatter) {
    auto signed_report = dkim_sign_message(report_, key_, "fbl.provider.example");
    std::string lf;
    for (char c : signed_report) {
        if (c != '\r') {
            lf.push_back(c);
        }
    }
    EXPECT_TRUE(verify_reporter_dkim(lf, settings_).passed);
}

TEST_F(DkimTest, ModifiedBodyFails) {
    auto signed_report = dkim_sign_message(report_, key_, "fbl.provider.example");
    signed_report.replace(signed_report.find("Source-IP: 198.51.100.7"), 23,
                          "Source-IP: 198.51.100.8");
    auto verdict = verify_reporter_dkim(signed_report, settings_);
    EXPECT_FALSE(verdict.passed);
    EXPECT_THAT(verdict.detail, ::testing::HasSubstr("does not verify"));
}

TEST_F(DkimTest, ValidSignatureFromUnlistedDomainIsNotEnough) {
    auto signed_report = dkim_sign_message(report_, key_, "elsewhere.example");
    EXPECT_FALSE(verify_reporter_dkim(signed_report, settings_).passed);
    EXPECT_FALSE(verify_reporter_dkim(report_, settings_).passed);
}

TEST_F(DkimTest, IntakeTrustsSignedReportAndNotTamperedOne) {
    config::Config config;
    config.store.sqlite.path = (dir_ / "store.db").string();
    config.feedback = settings_;
    config.feedback.trust = config::TrustPolicy::dkim;
    auto store = suppression::open_store(config.store);
    auto signed_report = dkim_sign_message(report_, key_, "fbl.provider.example");

    std::string tampered = signed_report;
    tampered.replace(tampered.find("Original-Rcpt-To: <Alice.Smith@example.org>"), 43,
                     "Original-Rcpt-To: <victim@example.net>");
    IntakeResult forged = Intake(config, *store).take(tampered);
    EXPECT_FALSE(forged.trusted);
    EXPECT_EQ(forged.suppressed, 0);
    EXPECT_FALSE(store->find("victim@example.net"));

    IntakeResult result = Intake(config, *store).take(signed_report);
    EXPECT_TRUE(result.trusted) << result.reason;
    EXPECT_EQ(result.reason, "dkim fbl.provider.example");
    EXPECT_EQ(result.suppressed, 1);
    EXPECT_TRUE(store->find("alice.smith@example.org"));
}

}  // namespace
}  // namespace fbl::feedback_loop
