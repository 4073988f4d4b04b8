// The reporter's DKIM signature, verified with libopendkim against a key from
// a local file (the file query method): no DNS. The RSA key is generated at
// test time and never stored.
#include "feedback_loop/dkim.h"

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "common/crypto.h"
#include "feedback_loop/opendkim.h"
#include "fixture.h"
#include "intake/intake.h"
#include "intake/raw_copy.h"

namespace fbl::feedback_loop {
namespace {

using intake::from_raw_copy;
using intake::Intake;
using intake::IntakeResult;
using intake::raw_copy;

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
    result.public_base64 = crypto::base64_encode(der);
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

    // The intake under trust: dkim, with a store in the test's directory.
    config::Config intake_config(const std::string& our_domain) const {
        config::Config config;
        config.store.sqlite.path = (dir_ / "store.db").string();
        config.feedback = settings_;
        config.feedback.trust = config::TrustPolicy::dkim;
        config.feedback.our_domains = {our_domain};
        return config;
    }

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
    config::Config config = intake_config("example.com");
    auto store = store::open_store(config.store);
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
    EXPECT_EQ(result.reason, "dkim fbl.provider.example (our mail: From example.com)");
    EXPECT_EQ(result.suppressed, 1);
    EXPECT_TRUE(store->find("alice.smith@example.org"));
}

// Issue 14: a genuine provider report about someone else's mail (a third
// party relays it to us) must not unsubscribe our customers. The original
// counts as ours by its From/d= in our_domains, or by the send log.
TEST_F(DkimTest, SignedReportAboutSomeoneElsesMailIsUntrusted) {
    config::Config config = intake_config("our-brand.example");
    auto store = store::open_store(config.store);

    IntakeResult theirs =
        Intake(config, *store).take(dkim_sign_message(report_, key_, "fbl.provider.example"));
    EXPECT_FALSE(theirs.trusted);
    EXPECT_EQ(theirs.suppressed, 0);
    EXPECT_THAT(theirs.reason, ::testing::HasSubstr("the attached original is not our mail"));
    EXPECT_FALSE(store->find("alice.smith@example.org"));

    // The same original, found in our send log: ours after all.
    store::SendRecord send;
    send.message_id = "mailing-42.alice@mail.example.com";
    send.recipient_key = send.recipient = "alice.smith@example.org";
    send.sent_at = std::chrono::system_clock::now();
    store->record_sends({send});
    std::string again = report_;
    again.replace(again.find("<report-0001@"), 13, "<report-0002@");
    IntakeResult logged =
        Intake(config, *store).take(dkim_sign_message(again, key_, "fbl.provider.example"));
    EXPECT_TRUE(logged.trusted) << logged.reason;
    EXPECT_EQ(logged.reason, "dkim fbl.provider.example (our mail: send log)");
    EXPECT_EQ(logged.suppressed, 1);
}

// Provider-trusted, yet 2,000 Original-Rcpt-To lines: over the cap, the
// report is kept for review and suppresses no one.
TEST_F(DkimTest, SignedReportOverTheRecipientCapSuppressesNobody) {
    config::Config config = intake_config("example.com");
    auto store = store::open_store(config.store);
    std::string many;
    for (int i = 0; i < 2000; ++i) {
        many += "Original-Rcpt-To: <person" + std::to_string(i) + "@example.net>\r\n";
    }
    std::string text = report_;
    std::string line = "Original-Rcpt-To: <Alice.Smith@example.org>\r\n";
    text.replace(text.find(line), line.size(), many);
    IntakeResult result =
        Intake(config, *store).take(dkim_sign_message(text, key_, "fbl.provider.example"));
    EXPECT_TRUE(result.stored);
    EXPECT_FALSE(result.trusted);
    EXPECT_EQ(result.suppressed, 0);
    EXPECT_EQ(result.jobs, 0);
    EXPECT_THAT(result.reason, ::testing::HasSubstr("over max_recipients_per_report"));
    EXPECT_TRUE(store->list({}).empty());
}

// Issue 14: a key lookup that fails for a reason that may pass (here the key
// file cannot be opened, as libopendkim reports a DNS timeout or SERVFAIL:
// DKIM_SIGERROR_KEYFAIL) is temporary, not "untrusted".
TEST_F(DkimTest, KeyLookupFailureIsTemporary) {
    auto signed_report = dkim_sign_message(report_, key_, "fbl.provider.example");
    config::FeedbackSettings unreachable = settings_;
    unreachable.dkim_key_file = (dir_ / "no-such-key-file").string();
    auto verdict = verify_reporter_dkim(signed_report, unreachable);
    EXPECT_FALSE(verdict.passed);
    EXPECT_TRUE(verdict.temporary) << verdict.detail;
    EXPECT_THAT(verdict.detail, ::testing::HasSubstr("temporary failure"));
    // A key that is simply not there is final.
    auto missing =
        verify_reporter_dkim(dkim_sign_message(report_, key_, "nokey.provider.example"), settings_);
    EXPECT_FALSE(missing.temporary) << missing.detail;
}

std::string rfc5322_date(std::chrono::system_clock::time_point when) {
    std::time_t seconds = std::chrono::system_clock::to_time_t(when);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char text[64];
    std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S +0000", &utc);
    return text;
}

// The intake refuses a young report with TemporaryTrustFailure (the milter
// answers 451, fblctl ingest exits 75) and stores nothing; a report older
// than dkim_tempfail_for is stored untrusted with that reason.
TEST_F(DkimTest, IntakeTempfailsWhileKeysAreUnreachableThenGivesUp) {
    config::Config config = intake_config("example.com");
    config.feedback.dkim_key_file = (dir_ / "no-such-key-file").string();
    auto store = store::open_store(config.store);

    std::string young = report_;
    std::string date = "Date: Mon, 02 Nov 2026 10:15:00 +0000";
    young.replace(young.find(date), date.size(),
                  "Date: " + rfc5322_date(std::chrono::system_clock::now()));
    EXPECT_THROW(
        Intake(config, *store).take(dkim_sign_message(young, key_, "fbl.provider.example")),
        TemporaryTrustFailure);
    EXPECT_TRUE(store->complaints({}).empty());

    std::string old = report_;
    old.replace(
        old.find(date), date.size(),
        "Date: " + rfc5322_date(std::chrono::system_clock::now() - std::chrono::hours(24 * 4)));
    IntakeResult result =
        Intake(config, *store).take(dkim_sign_message(old, key_, "fbl.provider.example"));
    EXPECT_TRUE(result.stored);
    EXPECT_FALSE(result.trusted);
    EXPECT_THAT(result.reason, ::testing::HasSubstr("longer than dkim_tempfail_for (3d)"));
}

// Issue 14 item 5: an untrusted report keeps its raw copy, and
// re-evaluating it once the keys can be fetched trusts it and applies its
// effects exactly once.
TEST_F(DkimTest, ReevaluatingAReportWhoseKeysCameBackTrustsItOnce) {
    config::Config unreachable = intake_config("example.com");
    unreachable.feedback.dkim_key_file = (dir_ / "no-such-key-file").string();
    auto store = store::open_store(unreachable.store);
    std::string old = report_;
    std::string date = "Date: Mon, 02 Nov 2026 10:15:00 +0000";
    old.replace(
        old.find(date), date.size(),
        "Date: " + rfc5322_date(std::chrono::system_clock::now() - std::chrono::hours(24 * 4)));
    std::string signed_report = dkim_sign_message(old, key_, "fbl.provider.example");
    IntakeResult first = Intake(unreachable, *store).take(signed_report);
    ASSERT_TRUE(first.stored);
    ASSERT_FALSE(first.trusted);
    EXPECT_FALSE(store->find("alice.smith@example.org"));
    auto copy = from_raw_copy(store->raw_report(first.complaint_id));
    ASSERT_TRUE(copy);
    EXPECT_EQ(*copy, signed_report);

    // Still unreachable: the re-evaluation changes nothing.
    IntakeResult still = Intake(unreachable, *store).reevaluate(first.complaint_id, *copy);
    EXPECT_FALSE(still.trusted);
    EXPECT_FALSE(store->find("alice.smith@example.org"));

    config::Config reachable = intake_config("example.com");
    IntakeResult again = Intake(reachable, *store).reevaluate(first.complaint_id, *copy);
    EXPECT_TRUE(again.trusted) << again.reason;
    EXPECT_FALSE(again.duplicate);
    EXPECT_EQ(again.suppressed, 1);
    EXPECT_TRUE(store->find("alice.smith@example.org"));
    store::ComplaintFilter trusted;
    trusted.trusted = true;
    auto complaints = store->complaints(trusted);
    ASSERT_EQ(complaints.size(), 1u);
    EXPECT_EQ(complaints[0].id, first.complaint_id);
    EXPECT_THAT(complaints[0].trust_reason, ::testing::HasSubstr("dkim fbl.provider.example"));

    IntakeResult twice = Intake(reachable, *store).reevaluate(first.complaint_id, *copy);
    EXPECT_TRUE(twice.duplicate);
    EXPECT_EQ(twice.suppressed, 0);
    auto changes = store->changes_since(0, 100);
    EXPECT_EQ(changes.size(), 1u);  // one suppression, once
}

// A report about mail the config did not know as ours becomes trusted once
// our_domains names the sender; one still forged stays untrusted.
TEST_F(DkimTest, ReevaluationUsesTodaysConfig) {
    config::Config before = intake_config("our-brand.example");
    auto store = store::open_store(before.store);
    std::string signed_report = dkim_sign_message(report_, key_, "fbl.provider.example");
    IntakeResult first = Intake(before, *store).take(signed_report);
    ASSERT_FALSE(first.trusted);
    IntakeResult unchanged = Intake(before, *store).reevaluate(first.complaint_id, signed_report);
    EXPECT_FALSE(unchanged.trusted);
    EXPECT_THAT(unchanged.reason, ::testing::HasSubstr("not our mail"));
    EXPECT_FALSE(store->find("alice.smith@example.org"));

    IntakeResult after =
        Intake(intake_config("example.com"), *store).reevaluate(first.complaint_id, signed_report);
    EXPECT_TRUE(after.trusted) << after.reason;
    EXPECT_TRUE(store->find("alice.smith@example.org"));
}

TEST(RawCopy, KeepsAnyBytesUpToTheLimit) {
    std::string bytes("a\0\xff\r\n\x80z", 7);
    for (std::size_t length = 0; length <= bytes.size(); ++length) {
        std::string raw = bytes.substr(0, length);
        std::string copy = raw_copy(raw, 100);
        if (raw.empty()) {
            EXPECT_TRUE(copy.empty());
            continue;
        }
        auto back = from_raw_copy(copy);
        ASSERT_TRUE(back) << length;
        EXPECT_EQ(*back, raw) << length;
    }
    EXPECT_TRUE(raw_copy(std::string(101, 'x'), 100).empty());
    EXPECT_TRUE(raw_copy("x", 0).empty());
    EXPECT_FALSE(from_raw_copy("not base64!"));
    EXPECT_FALSE(from_raw_copy(""));
}

// At most kMaxDkimSignaturesChecked reporter-domain signatures are verified:
// a genuine one below five bogus ones is never reached.
TEST_F(DkimTest, SignaturesCheckedPerReportAreCapped) {
    auto genuine = dkim_sign_message(report_, key_, "fbl.provider.example");
    auto with_bogus = [&](int count) {
        std::string text = genuine;
        for (int i = 0; i < count; ++i) {
            text =
                "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=fbl.provider.example;"
                " s=sel; h=From; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=AAAA\r\n" +
                text;
        }
        return text;
    };
    EXPECT_TRUE(verify_reporter_dkim(with_bogus(kMaxDkimSignaturesChecked - 1), settings_).passed);
    EXPECT_FALSE(verify_reporter_dkim(with_bogus(kMaxDkimSignaturesChecked), settings_).passed);
}

}  // namespace
}  // namespace fbl::feedback_loop
