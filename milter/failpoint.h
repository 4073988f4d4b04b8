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

// Thrown by failpoint_throw: deliberately no std::exception, so that only a
// catch (...) stops it before libmilter's C frames.
struct ForeignFailure {};

#ifdef FBL_FAILPOINTS
inline bool failpoint_armed(std::string_view name) {
    const char* armed = std::getenv("FBL_FAILPOINT");
    return armed != nullptr && name == armed;
}
inline void failpoint(std::string_view name) {
    if (failpoint_armed(name)) {
        _exit(kFailpointExitStatus);  // no destructors, no flush: like a crash
    }
}
inline void failpoint_throw(std::string_view name) {
    if (failpoint_armed(name)) {
        throw ForeignFailure{};
    }
}
#else
inline void failpoint(std::string_view) {}
inline void failpoint_throw(std::string_view) {}
#endif

}  // namespace fbl::milter
