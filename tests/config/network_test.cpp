#include "config/network.h"

#include <gtest/gtest.h>

#include "config/socket_spec.h"

namespace fbl::config {
namespace {

TEST(Network, MatchesIpv4AndIpv6Prefixes) {
    auto loopback = Network::parse("127.0.0.0/8");
    ASSERT_TRUE(loopback);
    EXPECT_TRUE(loopback->contains("127.1.2.3"));
    EXPECT_FALSE(loopback->contains("128.0.0.1"));
    EXPECT_FALSE(loopback->contains("::1"));

    auto documentation = Network::parse("2001:db8::/32");
    ASSERT_TRUE(documentation);
    EXPECT_TRUE(documentation->contains("2001:db8:1::5"));
    EXPECT_TRUE(documentation->contains("[IPv6:2001:db8::1]"));
    EXPECT_FALSE(documentation->contains("2001:db9::1"));
}

TEST(Network, SingleAddressWithoutPrefix) {
    auto host = Network::parse("192.0.2.7");
    ASSERT_TRUE(host);
    EXPECT_TRUE(host->contains("192.0.2.7"));
    EXPECT_FALSE(host->contains("192.0.2.8"));
}

TEST(Network, RejectsBadCidr) {
    for (auto text : {"", "10.0.0.0/33", "::1/129", "10.0.0/8", "10.0.0.0/x", "example.com"}) {
        EXPECT_FALSE(Network::parse(text)) << text;
    }
}

TEST(SocketSpec, ParsesEveryLibmilterForm) {
    auto inet = SocketSpec::parse("inet:8890@127.0.0.1", nullptr);
    ASSERT_TRUE(inet);
    EXPECT_EQ(inet->port, 8890);
    EXPECT_EQ(inet->host, "127.0.0.1");
    auto inet6 = SocketSpec::parse("inet6:8890@::1", nullptr);
    ASSERT_TRUE(inet6);
    EXPECT_EQ(inet6->family, SocketSpec::Family::inet6);
    auto local = SocketSpec::parse("local:/run/fblmilter/fblmilter.sock", nullptr);
    ASSERT_TRUE(local);
    EXPECT_EQ(local->path, "/run/fblmilter/fblmilter.sock");
    EXPECT_EQ(local->to_string(), "unix:/run/fblmilter/fblmilter.sock");
}

TEST(SocketSpec, ExplainsWhatIsWrong) {
    std::string why;
    EXPECT_FALSE(SocketSpec::parse("inet:0@127.0.0.1", &why));
    EXPECT_NE(why.find("port"), std::string::npos);
    EXPECT_FALSE(SocketSpec::parse("unix:relative.sock", &why));
    EXPECT_NE(why.find("absolute"), std::string::npos);
    EXPECT_FALSE(SocketSpec::parse("tcp:25", &why));
    EXPECT_NE(why.find("unknown socket type"), std::string::npos);
}

}  // namespace
}  // namespace fbl::config
