#include "web/json_body.h"

#include <string>

#include <gtest/gtest.h>

namespace fbl::web {
namespace {

TEST(JsonBody, ReadsAnObject) {
    auto json = parse_json_body(R"({"a": [1, {"b": "c"}]})");
    ASSERT_TRUE(json);
    EXPECT_EQ((*json)["a"][1]["b"], "c");
}

TEST(JsonBody, RefusesWhatIsNotJson) {
    EXPECT_FALSE(parse_json_body("timestamp=1&token=x"));
    EXPECT_FALSE(parse_json_body(R"({"a": )"));
    EXPECT_FALSE(parse_json_body(""));
}

// A stranger's deep nesting is refused before a tree is built.
TEST(JsonBody, RefusesNestingDeeperThanTheLimit) {
    std::string deep(kMaxJsonDepth, '[');
    deep += std::string(kMaxJsonDepth, ']');
    EXPECT_TRUE(parse_json_body(deep));
    std::string deeper = "[" + deep + "]";
    EXPECT_FALSE(parse_json_body(deeper));
    std::string hostile(500000, '[');
    EXPECT_FALSE(parse_json_body(hostile));
}

}  // namespace
}  // namespace fbl::web
