#include "suppression/index.h"

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace fbl::suppression {
namespace {

std::string key(int number) {
    return "user" + std::to_string(number) + "@example.com";
}

TEST(SuppressionIndex, InsertEraseAndGrow) {
    SuppressionIndex index;
    EXPECT_FALSE(index.might_contain("a@example.com"));
    constexpr int kCount = 50000;  // far beyond the first table: grows several times
    for (int i = 0; i < kCount; ++i) {
        index.insert(key(i));
    }
    index.insert(key(0));  // again: no duplicate
    EXPECT_EQ(index.size(), std::size_t{kCount});
    for (int i = 0; i < kCount; ++i) {
        ASSERT_TRUE(index.might_contain(key(i))) << key(i);
    }
    for (int i = 0; i < kCount; i += 2) {
        index.erase(key(i));
    }
    EXPECT_EQ(index.size(), std::size_t{kCount / 2});
    int false_positives = 0;
    for (int i = 0; i < kCount; ++i) {
        if (i % 2 == 1) {
            ASSERT_TRUE(index.might_contain(key(i)));
        } else if (index.might_contain(key(i))) {
            ++false_positives;
        }
    }
    EXPECT_EQ(false_positives, 0);  // 64-bit fingerprints: a collision here would be a bug
    for (int i = 0; i < kCount; i += 2) {
        index.insert(key(i));  // reuses erased slots
    }
    for (int i = 0; i < kCount; ++i) {
        ASSERT_TRUE(index.might_contain(key(i)));
    }
}

TEST(SuppressionIndex, ManyErasuresDoNotFillTheTable) {
    SuppressionIndex index;
    for (int round = 0; round < 20; ++round) {
        for (int i = 0; i < 5000; ++i) {
            index.insert(key(round * 5000 + i));
        }
        for (int i = 0; i < 5000; ++i) {
            index.erase(key(round * 5000 + i));
        }
    }
    EXPECT_EQ(index.size(), 0u);
    EXPECT_FALSE(index.might_contain(key(7)));
}

TEST(SuppressionIndex, BuiltIndexStaysUnderSixteenBytesPerEntry) {
    constexpr std::size_t kCount = 200000;
    SuppressionIndex::Content content;
    for (std::size_t i = 0; i < kCount; ++i) {
        content.add(key(static_cast<int>(i)), IndexEntry{});
    }
    SuppressionIndex index;
    index.assign(content);
    EXPECT_EQ(index.size(), kCount);
    EXPECT_TRUE(index.might_contain(key(12345)));
    EXPECT_FALSE(index.might_contain("nobody@example.com"));
    // The small initial table is retired, but counted.
    EXPECT_LE(index.memory_bytes(), 16 * kCount);
}

using namespace std::chrono_literals;

TEST(SuppressionIndex, HoldsScopeAndExpiry) {
    auto now = std::chrono::system_clock::now();
    SuppressionIndex index;
    index.insert("all@example.com", IndexEntry{Scope::all, std::nullopt});
    index.insert("soon@example.com", IndexEntry{Scope::marketing, now + 10s});
    index.insert("past@example.com", IndexEntry{Scope::all, now - 1s});

    auto all = index.find("all@example.com", now);
    ASSERT_TRUE(all);
    EXPECT_EQ(*all, (IndexEntry{Scope::all, std::nullopt}));
    auto soon = index.find("soon@example.com", now);
    ASSERT_TRUE(soon);
    EXPECT_EQ(soon->scope, Scope::marketing);
    // Kept to the second, never earlier than asked.
    EXPECT_GE(*soon->expires_at, now + 10s);
    EXPECT_LT(*soon->expires_at, now + 11s);
    EXPECT_FALSE(index.find("soon@example.com", now + 11s));
    EXPECT_FALSE(index.find("past@example.com", now));  // expired: a miss
    EXPECT_TRUE(index.might_contain("past@example.com"));
    EXPECT_FALSE(index.find("other@example.com", now));
}

TEST(SuppressionIndex, InsertingAgainReplacesTheEntry) {
    auto now = std::chrono::system_clock::now();
    SuppressionIndex index;
    index.insert("a@example.com", IndexEntry{Scope::marketing, now - 1s});
    index.insert("a@example.com", IndexEntry{Scope::all, std::nullopt});
    EXPECT_EQ(index.size(), 1u);
    ASSERT_TRUE(index.find("a@example.com", now));
    EXPECT_EQ(index.find("a@example.com", now)->scope, Scope::all);
}

TEST(SuppressionIndex, ExpiriesBeyondWhatItHoldsSuppressForGood) {
    SuppressionIndex index;
    auto far = std::chrono::system_clock::time_point(std::chrono::hours(24 * 365 * 200));
    auto ancient = std::chrono::system_clock::time_point(std::chrono::hours(24 * 365));
    index.insert("far@example.com", IndexEntry{Scope::all, far});
    index.insert("ancient@example.com", IndexEntry{Scope::all, ancient});
    auto now = std::chrono::system_clock::now();
    ASSERT_TRUE(index.find("far@example.com", now));
    EXPECT_FALSE(index.find("far@example.com", now)->expires_at);
    EXPECT_FALSE(index.find("ancient@example.com", now));
}

TEST(SuppressionIndex, EntriesSurviveGrowthAndAssign) {
    auto now = std::chrono::system_clock::now();
    SuppressionIndex index;
    for (int i = 0; i < 5000; ++i) {
        index.insert(key(i), IndexEntry{i % 2 == 0 ? Scope::all : Scope::marketing, std::nullopt});
    }
    for (int i = 0; i < 5000; ++i) {
        ASSERT_EQ(index.find(key(i), now)->scope, i % 2 == 0 ? Scope::all : Scope::marketing);
    }
    SuppressionIndex::Content content;
    content.add(key(1), IndexEntry{Scope::all, now + 1h});
    index.assign(content);
    EXPECT_EQ(index.size(), 1u);
    EXPECT_EQ(index.find(key(1), now)->scope, Scope::all);
    EXPECT_FALSE(index.find(key(2), now));
}

TEST(SuppressionIndex, ReadersRunWhileTheWriterChangesTheTable) {
    SuppressionIndex index;
    constexpr int kStable = 1000;
    for (int i = 0; i < kStable; ++i) {
        index.insert(key(i));
    }
    std::atomic<bool> done{false};
    std::atomic<int> misses{0};
    std::vector<std::thread> readers;
    for (int reader = 0; reader < 3; ++reader) {
        readers.emplace_back([&] {
            while (!done.load()) {
                for (int i = 0; i < kStable; ++i) {
                    if (!index.might_contain(key(i))) {
                        misses.fetch_add(1);
                    }
                }
            }
        });
    }
    for (int i = kStable; i < 200000; ++i) {  // grows the table under the readers
        index.insert(key(i));
        if (i % 3 == 0) {
            index.erase(key(i));
        }
    }
    done.store(true);
    for (auto& reader : readers) {
        reader.join();
    }
    EXPECT_EQ(misses.load(), 0);  // keys present throughout were never missed
}

}  // namespace
}  // namespace fbl::suppression
