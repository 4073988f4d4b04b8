// The shipped presets are one table (issue 15): every name builds, and the
// docs, the man page and the example config list exactly these names.
#include "crm/presets.h"

#include <algorithm>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include <gtest/gtest.h>

namespace fbl::crm {
namespace {

std::string read(const std::string& relative) {
    std::ifstream in(std::string(FBL_SOURCE_DIR) + "/" + relative);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::set<std::string> shipped() {
    auto names = preset_names();
    return {names.begin(), names.end()};
}

TEST(Presets, EveryNameInTheTableBuilds) {
    ASSERT_FALSE(preset_names().empty());
    for (const std::string& name : preset_names()) {
        auto preset = find_preset(name);
        ASSERT_TRUE(preset) << name;
        EXPECT_EQ(preset->name, name);
        EXPECT_FALSE(preset->steps.empty()) << name;
    }
    EXPECT_FALSE(find_preset("no-such-crm"));
}

TEST(Presets, DocsCrmMdHasOneSectionPerPreset) {
    std::string doc = read("docs/crm.md");
    auto start = doc.find("\n## Presets");
    ASSERT_NE(start, std::string::npos);
    auto end = doc.find("\n## ", start + 1);
    std::string section = doc.substr(start, end - start);
    std::set<std::string> documented;
    std::regex heading(R"(\n### ([a-z0-9_-]+)\n)");
    for (std::sregex_iterator it(section.begin(), section.end(), heading), last; it != last; ++it) {
        documented.insert((*it)[1]);
    }
    EXPECT_EQ(documented, shipped());
}

TEST(Presets, TheManPageAndTheExampleConfigNameEveryPreset) {
    std::string man = read("packaging/man/fblmilter.yaml.5.scd");
    std::string example = read("config/fblmilter.yaml");
    std::smatch listed;
    ASSERT_TRUE(std::regex_search(example, listed, std::regex(R"(preset: \w+ +# ([a-z| ]+), or)")));
    std::set<std::string> in_example;
    std::istringstream words(listed[1].str());
    for (std::string word; words >> word;) {
        if (word != "|") {
            in_example.insert(word);
        }
    }
    EXPECT_EQ(in_example, shipped());
    std::string flat = std::regex_replace(man, std::regex(R"(\s+)"), " ");
    std::smatch in_man_page;
    ASSERT_TRUE(
        std::regex_search(flat, in_man_page, std::regex(R"(\*preset\* \(e\.g\. ([a-z, ]+);)")));
    std::set<std::string> in_man;
    std::istringstream names(std::regex_replace(in_man_page[1].str(), std::regex(","), " "));
    for (std::string name; names >> name;) {
        in_man.insert(name);
    }
    EXPECT_EQ(in_man, shipped()) << "fblmilter.yaml(5) lists other presets than the table";
}

}  // namespace
}  // namespace fbl::crm
