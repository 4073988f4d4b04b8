#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace re2 {
class RE2;
}

namespace fbl::feedback_loop {

// Decodes VERP envelope senders with patterns such as
// "bounces+{local}={domain}@example.com" (feedback.verp_patterns).
class VerpDecoder {
  public:
    // Patterns lacking {local} or {domain} are ignored (and listed in `ignored`).
    explicit VerpDecoder(const std::vector<std::string>& patterns);

    // The recipient encoded in `sender`, or nullopt when no pattern matches.
    std::optional<std::string> decode(std::string_view sender) const;

    bool empty() const { return patterns_.empty(); }
    const std::vector<std::string>& ignored() const { return ignored_; }

  private:
    // RE2: the sender is written by whoever sent the report, and RE2 needs
    // neither stack nor time beyond linear in it.
    struct Pattern {
        std::shared_ptr<const re2::RE2> expression;
        bool local_first = true;
    };
    std::vector<Pattern> patterns_;
    std::vector<std::string> ignored_;
};

}  // namespace fbl::feedback_loop
