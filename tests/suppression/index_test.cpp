#include "suppression/index.h"

#include <atomic>
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
    std::vector<std::uint64_t> fingerprints;
    for (std::size_t i = 0; i < kCount; ++i) {
        fingerprints.push_back(SuppressionIndex::fingerprint(key(static_cast<int>(i))));
    }
    SuppressionIndex index;
    index.assign(fingerprints);
    EXPECT_EQ(index.size(), kCount);
    EXPECT_TRUE(index.might_contain(key(12345)));
    EXPECT_FALSE(index.might_contain("nobody@example.com"));
    // The small initial table is retired, but counted.
    EXPECT_LE(index.memory_bytes(), 16 * kCount);
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
