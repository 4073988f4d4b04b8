#include "config/pattern.h"

#include <re2/re2.h>

namespace fbl::config {

std::shared_ptr<const re2::RE2> compile_pattern(const std::string& pattern, std::string& error) {
    re2::RE2::Options options;
    options.set_case_sensitive(false);
    options.set_max_mem(kMaxPatternMemory);
    options.set_log_errors(false);  // the caller reports, with the file position
    auto compiled = std::make_shared<const re2::RE2>(pattern, options);
    if (!compiled->ok()) {
        error = compiled->error();
        return nullptr;
    }
    return compiled;
}

}  // namespace fbl::config
