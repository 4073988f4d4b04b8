#include "cli/report_input.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>

namespace fbl::cli {
namespace {

constexpr std::size_t kChunk = 64 * 1024;

bool read_limited(std::istream& in, std::uint64_t limit, ReportInput& input) {
    std::string chunk(kChunk, '\0');
    while (in) {
        in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
        input.bytes.append(chunk.data(), static_cast<std::size_t>(in.gcount()));
        if (input.bytes.size() > limit) {
            input.bytes.resize(limit + 1);
            input.truncated = true;
            return true;
        }
    }
    return in.eof();
}

}  // namespace

std::optional<ReportInput> read_report_input(const std::string& path, std::uint64_t limit,
                                             std::string& error) {
    ReportInput input;
    if (path == "-") {
        std::ios::sync_with_stdio(false);
        if (!read_limited(std::cin, limit, input)) {
            error = "cannot read standard input";
            return std::nullopt;
        }
        return input;
    }
    std::ifstream file(path, std::ios::binary);
    if (!file) {
        error = "cannot open " + path + ": " + std::strerror(errno);
        return std::nullopt;
    }
    if (!read_limited(file, limit, input)) {
        error = "cannot read " + path + ": " + std::strerror(errno);
        return std::nullopt;
    }
    return input;
}

}  // namespace fbl::cli
