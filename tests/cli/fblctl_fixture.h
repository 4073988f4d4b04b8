#pragma once

#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/cli/fblctl_runner.h"
#include "tests/suppression/temp_dir.h"

namespace fbl::testing {

// A work directory with a configuration file naming a SQLite store in it,
// and the built fblctl run against that file.
class FblctlFixture : public ::testing::Test {
  protected:
    // store.sqlite.path, then `extra` YAML (more sections).
    void write_config(const std::string& extra = "") {
        std::ofstream(config, std::ios::binary)
            << "store:\n  sqlite:\n    path: " << database << "\n"
            << extra;
    }

    RunResult fblctl(std::vector<std::string> arguments) {
        arguments.insert(arguments.begin(), {"-c", config});
        return run_fblctl(dir.path().string(), arguments);
    }

    TempDir dir;
    std::string database = dir.file("fbl.db");
    std::string config = dir.file("fblmilter.yaml");
};

}  // namespace fbl::testing
