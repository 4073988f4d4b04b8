#include "crm/template.h"

#include <map>

#include <gtest/gtest.h>

namespace fbl::crm {
namespace {

Lookup values(std::map<std::string, std::string> map) {
    return [map = std::move(map)](const std::string& name) -> std::optional<std::string> {
        auto it = map.find(name);
        return it == map.end() ? std::nullopt : std::optional(it->second);
    };
}

TEST(Template, PercentEncodesValuesInUrls) {
    auto url = render("https://crm.example/v3/contacts/{email}?note={reason}", Context::url,
                      values({{"email", "a+b@x.example"}, {"reason", "spam & more/ä"}}));
    EXPECT_EQ(url,
              "https://crm.example/v3/contacts/a%2Bb%40x.example?note=spam%20%26%20more%2F%C3%A4");
}

TEST(Template, EncodesLiteralUrlTextOnlyWhereAUrlCannotHoldIt) {
    auto url = render("https://h/api/v1/Person?$select=personId&$filter=email eq '{odata:email}'",
                      Context::url, values({{"email", "o'neil@x.example"}}));
    EXPECT_EQ(
        url,
        "https://h/api/v1/Person?$select=personId&$filter=email%20eq%20'o%27%27neil%40x.example'");
}

TEST(Template, EscapesInsideJsonStringsAndQuotesOutside) {
    auto body = render(R"({"email":"{email}","reason":{reason},"n":1})", Context::json,
                       values({{"email", "q\"uote\\@x"}, {"reason", "line\nbreak"}}));
    EXPECT_EQ(body, R"({"email":"q\"uote\\@x","reason":"line\nbreak","n":1})");
}

TEST(Template, JsonStringStateSurvivesEscapedQuotesInLiteralText) {
    auto body = render(R"({"a":"say \"hi\" {email}","b":{email}})", Context::json,
                       values({{"email", "x@y"}}));
    EXPECT_EQ(body, R"({"a":"say \"hi\" x@y","b":"x@y"})");
}

TEST(Template, FormValuesArePercentEncoded) {
    EXPECT_EQ(render("email={email}&x=1", Context::form, values({{"email", "a b&c@d"}})),
              "email=a%20b%26c%40d&x=1");
}

TEST(Template, HeaderValuesLoseLineBreaks) {
    EXPECT_EQ(render("Bearer {secret.token}", Context::header,
                     values({{"secret.token", "abc\r\nX-Evil: 1"}})),
              "Bearer abcX-Evil: 1");
}

TEST(Template, ODataDoublesQuotesAndSoqlEscapesThem) {
    EXPECT_EQ(odata_literal("o'ne'il"), "o''ne''il");
    EXPECT_EQ(soql_literal("o'ne\\il"), "o\\'ne\\\\il");
    EXPECT_EQ(render("Email = '{soql:email}'", Context::text, values({{"email", "o'n"}})),
              "Email = 'o\\'n'");
}

TEST(Template, BracesThatAreNoPlaceholderStayLiteral) {
    EXPECT_EQ(render("{} {\"a\": 1} {not valid} {a:b:c}", Context::text, values({})),
              "{} {\"a\": 1} {not valid} {a:b:c}");
}

TEST(Template, UnknownNameOrModifierIsAnError) {
    EXPECT_THROW(render("{nope}", Context::text, values({})), TemplateError);
    EXPECT_THROW(render("{sql:email}", Context::text, values({{"email", "x"}})), TemplateError);
}

TEST(Template, ListsPlaceholders) {
    auto found = placeholders("{base}/x/{odata:email}?{secret.token}");
    ASSERT_EQ(found.size(), 3u);
    EXPECT_EQ(found[0].name, "base");
    EXPECT_EQ(found[1].modifier, "odata");
    EXPECT_EQ(found[1].name, "email");
    EXPECT_EQ(found[2].name, "secret.token");
}

TEST(Template, ExpandKnownLeavesOtherPlaceholders) {
    auto text = expand_known("{base}/p?f={filter}&e={email}",
                             values({{"base", "https://h"}, {"filter", "e eq '{odata:email}'"}}));
    EXPECT_EQ(text, "https://h/p?f=e eq '{odata:email}'&e={email}");
}

}  // namespace
}  // namespace fbl::crm
