#pragma once

#include <fstream>
#include <sstream>
#include <string>

#include "feedback_loop/parser.h"
#include "feedback_loop/recipients.h"

namespace fbl::feedback_loop::test_support {

inline std::string read_file(const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    std::ostringstream content;
    content << file.rdbuf();
    return content.str();
}

inline std::string fixture(const std::string& name) {
    return read_file(std::string(FBL_FIXTURES_DIR) + "/arf/" + name);
}

inline config::FeedbackSettings feedback_settings() {
    config::FeedbackSettings settings;
    settings.verp_patterns = {"bounces+{local}={domain}@mail.example.com",
                              "unsubscribe+{local}={domain}@lists.example.com"};
    return settings;
}

struct Parsed {
    FeedbackReport report;
    Resolution resolution;
};

inline Parsed parse_text(const std::string& text, const ParseOptions& options = {}) {
    Parsed parsed;
    parsed.report = parse_report(text, options);
    parsed.resolution = RecipientResolver(feedback_settings()).resolve(parsed.report);
    return parsed;
}

inline Parsed parse_fixture(const std::string& name) {
    return parse_text(fixture(name));
}

}  // namespace fbl::feedback_loop::test_support
