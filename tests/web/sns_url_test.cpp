#include "web/hooks/sns_url.h"

#include <chrono>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <unistd.h>

#include "web/hooks/https_get.h"
#include "web/hooks/sns_certificates.h"
#include "web/hooks/sns_subscription.h"

namespace fbl::web::hooks {
namespace {

constexpr const char* kCertUrl =
    "https://sns.us-east-1.amazonaws.com/"
    "SimpleNotificationService-9c6465fa7f48f5cacd23014631ec1136.pem";

TEST(SnsUrl, AcceptsTheCertificateUrlsSnsServes) {
    EXPECT_TRUE(is_sns_url(kCertUrl, SnsUrlUse::signing_certificate));
    EXPECT_TRUE(
        is_sns_url("https://sns.us-gov-west-1.amazonaws.com/SimpleNotificationService-x.pem",
                   SnsUrlUse::signing_certificate));
    EXPECT_EQ(certificate_file_name(kCertUrl),
              "SimpleNotificationService-9c6465fa7f48f5cacd23014631ec1136.pem");
}

TEST(SnsUrl, RefusesEveryOtherCertificateUrl) {
    for (const char* url : {
             "http://sns.us-east-1.amazonaws.com/a.pem",
             "HTTPS://sns.us-east-1.amazonaws.com/a.pem",
             "https://SNS.us-east-1.amazonaws.com/a.pem",
             "https://sns.us-east-1.amazonaws.com.evil.com/a.pem",
             "https://sns.us-east-1.amazonaws.com@evil.com/a.pem",
             "https://user:pw@sns.us-east-1.amazonaws.com/a.pem",
             "https://sns.us-east-1.amazonaws.com:443/a.pem",
             "https://sns.us-east-1.amazonaws.com/a.pem?b",
             "https://sns.us-east-1.amazonaws.com/a.pem#b",
             "https://sns.us-east-1.amazonaws.com/a",
             "https://sns.us-east-1.amazonaws.com/.pem",
             "https://sns.us-east-1.amazonaws.com/a%2F..%2Fb.pem",
             "https://sns.us-east-1.amazonaws.com\\@evil.com/a.pem",
             "https://sns.us-east-1.amazonaws.com/a b.pem",
             "https://sns.cn-north-1.amazonaws.com.cn/a.pem",
             "https://sns.a.b.amazonaws.com/a.pem",
             "https://sns..amazonaws.com/a.pem",
             "https://sns.-us-east-1.amazonaws.com/a.pem",
             "https://evil.com/a.pem",
             "https:///a.pem",
             "",
         }) {
        EXPECT_FALSE(is_sns_url(url, SnsUrlUse::signing_certificate)) << url;
        EXPECT_EQ(certificate_file_name(url), "") << url;
    }
}

TEST(SnsUrl, ASubscribeUrlIsTheRootWithConfirmSubscription) {
    EXPECT_TRUE(is_sns_url(
        "https://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-"
        "west-2:123456789012:MyTopic&Token=2336412f37",
        SnsUrlUse::subscribe));
    for (const char* url : {
             "https://sns.us-west-2.amazonaws.com/?Action=Unsubscribe&Token=x",
             "https://sns.us-west-2.amazonaws.com/other?Action=ConfirmSubscription",
             "https://sns.us-west-2.amazonaws.com/",
             "http://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription",
             "https://evil.com/?Action=ConfirmSubscription",
             "https://sns.us-west-2.amazonaws.com/?XAction=ConfirmSubscription",
             kCertUrl,
         }) {
        EXPECT_FALSE(is_sns_url(url, SnsUrlUse::subscribe)) << url;
    }
    EXPECT_FALSE(is_sns_url("https://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription",
                            SnsUrlUse::signing_certificate));
}

// Refused from the text alone: no connection is tried (the tests have no network).
TEST(SnsUrl, NothingButAnSnsUrlIsEverOpened) {
    EXPECT_FALSE(confirm_sns_subscription("http://127.0.0.1:1/?Action=ConfirmSubscription",
                                          std::chrono::seconds(1)));
    EXPECT_FALSE(confirm_sns_subscription("https://127.0.0.1:1/?Action=ConfirmSubscription",
                                          std::chrono::seconds(1)));
    EXPECT_FALSE(https_get("http://127.0.0.1:1/", {std::chrono::seconds(1), 1024}));
    EXPECT_FALSE(https_get("file:///etc/passwd", {std::chrono::seconds(1), 1024}));
    DirectoryThenFetchCertificates certificates("");
    EXPECT_FALSE(certificates.pem_for("https://127.0.0.1:1/a.pem"));
    EXPECT_FALSE(certificates.pem_for("file:///etc/ssl/a.pem"));
}

TEST(SnsCertificates, AFileInTheDirectoryIsUsedWithoutAFetch) {
    auto dir =
        std::filesystem::temp_directory_path() / ("fbl-sns-certs-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "SimpleNotificationService-9c6465fa7f48f5cacd23014631ec1136.pem")
        << "PEM TEXT";
    DirectoryThenFetchCertificates certificates(dir.string());
    EXPECT_EQ(certificates.pem_for(kCertUrl), "PEM TEXT");
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace fbl::web::hooks
