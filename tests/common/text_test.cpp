#include "common/text.h"

#include <gtest/gtest.h>

namespace fbl::text {
namespace {

TEST(AsciiLower, OnlyAsciiLettersChange) {
    EXPECT_EQ(ascii_lower('A'), 'a');
    EXPECT_EQ(ascii_lower('Z'), 'z');
    EXPECT_EQ(ascii_lower('a'), 'a');
    EXPECT_EQ(ascii_lower('@'), '@');
    EXPECT_EQ(ascii_lower('['), '[');
    EXPECT_EQ(ascii_lower('\xC4'), '\xC4');  // Latin-1 'Ä' stays: not ASCII
    EXPECT_EQ(ascii_lower("Content-Type: TEXT/Plain"), "content-type: text/plain");
    EXPECT_EQ(ascii_lower("J\xC3\x9CRGEN@Example.ORG"), "j\xC3\x9Crgen@example.org");
    EXPECT_EQ(ascii_lower(std::string_view("A\0B", 3)), std::string_view("a\0b", 3));
    EXPECT_EQ(ascii_lower(""), "");
}

TEST(Iequals, AsciiCaseInsensitive) {
    EXPECT_TRUE(iequals("Content-Type", "content-TYPE"));
    EXPECT_TRUE(iequals("", ""));
    EXPECT_FALSE(iequals("Subject", "Subjec"));
    EXPECT_FALSE(iequals("Subject", "Subjects"));
    EXPECT_FALSE(iequals("a", "b"));
    // '[' and '{' differ by 0x20 like 'A' and 'a', but are not letters.
    EXPECT_FALSE(iequals("[", "{"));
}

// Bytes >= 0x80 compare as they are, whatever the locale: std::tolower on a
// plain char was undefined for them, and a Latin-1 locale would have folded
// 'Ä' (0xC4) onto 'ä' (0xE4).
TEST(Iequals, BytesAbove0x7fAreNotFolded) {
    EXPECT_FALSE(iequals("\xC4", "\xE4"));
    EXPECT_FALSE(iequals("X-\xC4rger", "x-\xE4rger"));
    EXPECT_TRUE(iequals("X-\xC4rger", "x-\xC4RGER"));
    EXPECT_FALSE(iequals("\xC4", "D"));
}

// An embedded NUL is a byte like any other; strcasecmp stopped at it.
TEST(Iequals, ComparesPastNul) {
    EXPECT_FALSE(iequals(std::string_view("a\0b", 3), std::string_view("a\0c", 3)));
    EXPECT_TRUE(iequals(std::string_view("a\0B", 3), std::string_view("A\0b", 3)));
}

TEST(DomainOf, AfterTheLastAtAsWritten) {
    EXPECT_EQ(domain_of("reader@Example.ORG"), "Example.ORG");
    EXPECT_EQ(domain_of("\"a@b\"@example.net"), "example.net");
    EXPECT_EQ(domain_of("user@"), "");
    EXPECT_EQ(domain_of("no-at-sign"), "");
    EXPECT_EQ(domain_of(""), "");
    EXPECT_EQ(domain_of("a@ example.org "), " example.org ");
}

}  // namespace
}  // namespace fbl::text
