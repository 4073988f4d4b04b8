#include "web/client_address.h"

#include <gtest/gtest.h>

namespace fbl::web {
namespace {

std::vector<config::Network> networks(std::initializer_list<const char*> cidrs) {
    std::vector<config::Network> parsed;
    for (const char* cidr : cidrs) {
        parsed.push_back(*config::Network::parse(cidr));
    }
    return parsed;
}

const auto kProxies = networks({"127.0.0.1/32", "10.0.0.0/8", "::1/128", "fd00::/8"});

TEST(RealClientAddress, NoHeaderIsThePeer) {
    EXPECT_EQ(real_client_address("127.0.0.1", "", kProxies), "127.0.0.1");
}

TEST(RealClientAddress, SpoofedHeaderFromAnUntrustedPeerIsIgnored) {
    EXPECT_EQ(real_client_address("198.51.100.9", "203.0.113.5", kProxies), "198.51.100.9");
    EXPECT_EQ(real_client_address("198.51.100.9", "203.0.113.5", {}), "198.51.100.9");
}

TEST(RealClientAddress, TrustedPeerNamesTheClient) {
    EXPECT_EQ(real_client_address("127.0.0.1", "203.0.113.5", kProxies), "203.0.113.5");
}

TEST(RealClientAddress, ChainOfTwoTrustedProxiesIsWalkedFromTheRight) {
    // client -> 10.1.1.1 (edge proxy) -> 127.0.0.1 (local nginx) -> fblweb
    EXPECT_EQ(real_client_address("127.0.0.1", "203.0.113.5, 10.1.1.1", kProxies), "203.0.113.5");
}

TEST(RealClientAddress, WhatTheClientWroteLeftOfItIsNotBelieved) {
    // The client sent "X-Forwarded-For: 192.0.2.1" itself; nginx appended it.
    EXPECT_EQ(real_client_address("127.0.0.1", "192.0.2.1, 203.0.113.5", kProxies), "203.0.113.5");
}

TEST(RealClientAddress, Ipv6PeersAndClients) {
    EXPECT_EQ(real_client_address("::1", "2001:db8::7", kProxies), "2001:db8::7");
    EXPECT_EQ(real_client_address("::1", "2001:db8::7, fd00::2", kProxies), "2001:db8::7");
    EXPECT_EQ(real_client_address("2001:db8::9", "2001:db8::7", kProxies), "2001:db8::9");
}

TEST(RealClientAddress, GarbageStopsTheWalkAtTheLastGoodHop) {
    EXPECT_EQ(real_client_address("127.0.0.1", "not-an-address", kProxies), "127.0.0.1");
    EXPECT_EQ(real_client_address("127.0.0.1", "203.0.113.5, junk, 10.1.1.1", kProxies),
              "10.1.1.1");
    EXPECT_EQ(real_client_address("127.0.0.1", "203.0.113.5:4711", kProxies), "127.0.0.1");
    EXPECT_EQ(real_client_address("127.0.0.1", " , ", kProxies), "127.0.0.1");
}

TEST(RealClientAddress, AllHopsTrustedGivesTheLeftmost) {
    EXPECT_EQ(real_client_address("127.0.0.1", "10.2.2.2, 10.1.1.1", kProxies), "10.2.2.2");
}

TEST(RealClientAddress, SpacesAroundEntriesAreIgnored) {
    EXPECT_EQ(real_client_address("127.0.0.1", "  203.0.113.5 ,10.1.1.1  ", kProxies),
              "203.0.113.5");
}

}  // namespace
}  // namespace fbl::web
