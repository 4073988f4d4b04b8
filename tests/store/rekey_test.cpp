// Issue 14 item 13: a change of the normalisation settings must never make
// an address that was suppressed stop matching.
#include "store/rekey.h"

#include <gtest/gtest.h>

#include "tests/store/store_test_support.h"

namespace fbl::store {
namespace {

using fbl::testing::open_sqlite;
using fbl::testing::TempDir;

config::SuppressionSettings folding() {
    config::SuppressionSettings settings;
    settings.gmail_dot_folding = true;
    return settings;
}

// Suppresses `address` the way fblctl add does: keyed by the normaliser.
void suppress(Store& store, const AddressNormalizer& normalizer, const std::string& address) {
    Suppression entry;
    entry.key = normalizer.normalize(address).key;
    entry.address = address;
    entry.reason = Reason::complaint;
    store.add(entry);
}

bool suppressed(Store& store, const AddressNormalizer& normalizer, const std::string& address) {
    return store.find(normalizer.lookup_key(address)).has_value();
}

TEST(SettingsDescription, SameKeysSameDescription) {
    config::SuppressionSettings a;
    a.subaddress.domains = {"Example.COM", "b.example"};
    a.subaddress.delimiter = "-+";
    config::SuppressionSettings b;
    b.subaddress.domains = {"b.example", "example.com", "example.com"};
    b.subaddress.delimiter = "+-";
    EXPECT_EQ(AddressNormalizer(a).settings_description(),
              AddressNormalizer(b).settings_description());
    config::SuppressionSettings no_domains;
    no_domains.subaddress.delimiter = "+";
    config::SuppressionSettings no_delimiter;
    no_delimiter.subaddress.domains = {"example.com"};
    no_delimiter.subaddress.delimiter = "";
    EXPECT_EQ(AddressNormalizer(no_domains).settings_description(),
              AddressNormalizer(no_delimiter).settings_description());

    std::string base = AddressNormalizer(config::SuppressionSettings{}).settings_description();
    config::SuppressionSettings preserving;
    preserving.lowercase_local_part = false;
    EXPECT_NE(base, AddressNormalizer(folding()).settings_description());
    EXPECT_NE(base, AddressNormalizer(preserving).settings_description());
    EXPECT_NE(base, AddressNormalizer(a).settings_description());
}

class RekeyTest : public ::testing::Test {
  protected:
    TempDir dir;
    std::unique_ptr<SqliteStore> store = open_sqlite(dir.file("store.db"));
    AddressNormalizer plain{config::SuppressionSettings{}};
};

TEST_F(RekeyTest, AStoreRecordsItsSettingsAtItsFirstAlignment) {
    EXPECT_FALSE(check_keys(*store, plain).recorded);
    require_current_keys(*store, plain);  // nothing recorded: passes
    Realignment first = realign_keys(*store, plain);
    EXPECT_TRUE(first.rekeyed);
    EXPECT_EQ(first.counts.suppressions, 0);
    EXPECT_TRUE(check_keys(*store, plain).current());
    EXPECT_FALSE(realign_keys(*store, plain).rekeyed);
}

TEST_F(RekeyTest, EveryRowKeyedIsReportedForProgress) {
    realign_keys(*store, plain);
    suppress(*store, plain, "John.Doe@gmail.com");
    suppress(*store, plain, "other@example.com");
    int keyed = 0;
    realign_keys(*store, AddressNormalizer(folding()), [&] { ++keyed; });
    EXPECT_EQ(keyed, 2);
}

TEST_F(RekeyTest, TurningOnDotFoldingKeepsEveryAddressSuppressed) {
    realign_keys(*store, plain);
    suppress(*store, plain, "John.Doe@gmail.com");
    suppress(*store, plain, "other@example.com");

    AddressNormalizer folded(folding());
    EXPECT_FALSE(check_keys(*store, folded).current());
    EXPECT_THROW(require_current_keys(*store, folded), KeysNotCurrent);
    // Before the re-key the new normaliser misses: this is what went wrong.
    EXPECT_FALSE(suppressed(*store, folded, "John.Doe@gmail.com"));

    Realignment realignment = realign_keys(*store, folded);
    EXPECT_TRUE(realignment.rekeyed);
    EXPECT_EQ(realignment.counts.suppressions, 1);
    EXPECT_NE(describe(realignment).find("1 suppressions moved"), std::string::npos)
        << describe(realignment);
    for (const char* spelling :
         {"John.Doe@gmail.com", "johndoe@gmail.com", "j.o.h.n.doe@gmail.com"}) {
        EXPECT_TRUE(suppressed(*store, folded, spelling)) << spelling;
    }
    EXPECT_TRUE(suppressed(*store, folded, "other@example.com"));
    require_current_keys(*store, folded);

    // And back: the address as first suppressed still matches.
    realign_keys(*store, plain);
    EXPECT_TRUE(suppressed(*store, plain, "John.Doe@gmail.com"));
    EXPECT_TRUE(suppressed(*store, plain, "john.doe@gmail.com"));
}

TEST_F(RekeyTest, TurningOffCaseFoldingKeepsTheAddressAsSuppressed) {
    realign_keys(*store, plain);
    suppress(*store, plain, "Bob@Example.com");
    config::SuppressionSettings preserving;
    preserving.lowercase_local_part = false;
    AddressNormalizer exact(preserving);
    EXPECT_FALSE(suppressed(*store, exact, "Bob@example.com"));
    realign_keys(*store, exact);
    EXPECT_TRUE(suppressed(*store, exact, "Bob@example.com"));
    EXPECT_TRUE(suppressed(*store, exact, "Bob@EXAMPLE.COM"));
}

TEST_F(RekeyTest, ChangingTheSubaddressRulesKeepsEveryAddressSuppressed) {
    realign_keys(*store, plain);
    suppress(*store, plain, "ann+news@example.com");
    config::SuppressionSettings stripping;
    stripping.subaddress.domains = {"example.com"};
    AddressNormalizer stripped(stripping);
    realign_keys(*store, stripped);
    EXPECT_TRUE(suppressed(*store, stripped, "ann+news@example.com"));
    EXPECT_TRUE(suppressed(*store, stripped, "ann@example.com"));
}

}  // namespace
}  // namespace fbl::store
