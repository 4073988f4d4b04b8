#pragma once

#include <cstdlib>
#include <string_view>

#include <unistd.h>

// Test builds only (CMake option FBL_FAILPOINTS; the release preset and the
// Debian package leave it off): FBL_FAILPOINT=NAME makes the process die at
// the point called NAME, as a crash or a kill -9 would, so a test can show
// what the MTA and the store make of it.
namespace fbl::milter {

inline constexpr int kFailpointExitStatus = 86;

#ifdef FBL_FAILPOINTS
inline void failpoint(std::string_view name) {
    const char* armed = std::getenv("FBL_FAILPOINT");
    if (armed != nullptr && name == armed) {
        _exit(kFailpointExitStatus);  // no destructors, no flush: like a crash
    }
}
#else
inline void failpoint(std::string_view) {}
#endif

}  // namespace fbl::milter
