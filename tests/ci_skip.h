#pragma once

#include <cstdlib>
#include <string_view>

#include <gtest/gtest.h>

// A test whose service or input cannot be had here skips on a developer's
// machine and FAILS under CI=true: CI must not pass by skipping what it has
// to prove (the corpus in ../shared, root, PostgreSQL).
namespace fbl::testing {

inline bool running_in_ci() {
    const char* ci = std::getenv("CI");
    return ci != nullptr && std::string_view(ci) == "true";
}

}  // namespace fbl::testing

#define FBL_SKIP_OR_FAIL_IN_CI(why)                              \
    do {                                                         \
        if (::fbl::testing::running_in_ci()) {                   \
            GTEST_FAIL() << "required in CI (CI=true): " << why; \
        }                                                        \
        GTEST_SKIP() << why;                                     \
    } while (false)
