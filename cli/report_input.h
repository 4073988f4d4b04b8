#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace fbl::cli {

struct ReportInput {
    std::string bytes;
    bool truncated = false;  // more than the limit was there; `bytes` holds limit + 1
};

// Reads a file ("-" = stdin) in binary, at most `limit` + 1 bytes so an
// oversized input is refused by the parser without being held in memory.
// nullopt (with `error` set) when it cannot be read.
std::optional<ReportInput> read_report_input(const std::string& path, std::uint64_t limit,
                                             std::string& error);

}  // namespace fbl::cli
