#pragma once

#include <memory>
#include <string>

namespace re2 {
class RE2;
}

// Regular expressions that admins write in the config (outbound.marketing
// .header_matches) and that we build from their templates (VERP) are matched
// against text any sender controls, so they use RE2: linear time in the
// input, no recursion, bounded memory. RE2 syntax has no backreferences and
// no lookaround.
namespace fbl::config {

// Memory RE2 may use for one compiled pattern; larger ones fail to compile.
inline constexpr long long kMaxPatternMemory = 8LL * 1024 * 1024;

// Compiles `pattern` case-insensitively; nullptr and `error` set when RE2
// cannot (bad syntax, or over kMaxPatternMemory).
std::shared_ptr<const re2::RE2> compile_pattern(const std::string& pattern, std::string& error);

}  // namespace fbl::config
