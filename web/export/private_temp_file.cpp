#include "web/export/private_temp_file.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <vector>

#include <unistd.h>

namespace fbl::web::exporting {
namespace {

[[noreturn]] void fail(const std::string& what) {
    throw std::runtime_error("export: " + what + ": " + std::strerror(errno));
}

}  // namespace

std::string PrivateTempFile::directory() {
    const char* tmpdir = std::getenv("TMPDIR");
    return tmpdir != nullptr && *tmpdir != '\0' ? tmpdir : "/tmp";
}

PrivateTempFile::PrivateTempFile(std::string_view name_prefix) {
    std::string pattern = directory() + "/" + std::string(name_prefix) + "-XXXXXX";
    descriptor_ = mkstemp(pattern.data());
    if (descriptor_ < 0) {
        fail("cannot create a temporary file in " + directory());
    }
    path_ = std::move(pattern);
}

PrivateTempFile::~PrivateTempFile() {
    unlink();
    ::close(descriptor_);
}

void PrivateTempFile::unlink() {
    if (!path_.empty()) {
        ::unlink(path_.c_str());
        path_.clear();
    }
}

void PrivateTempFile::send_to(const ByteSink& sink, std::size_t chunk_bytes) const {
    std::vector<char> chunk(chunk_bytes);
    off_t offset = 0;
    while (true) {
        auto got = ::pread(descriptor_, chunk.data(), chunk.size(), offset);
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got < 0) {
            fail("cannot read the temporary file");
        }
        if (got == 0) {
            return;
        }
        sink(std::string_view(chunk.data(), static_cast<std::size_t>(got)));
        offset += got;
    }
}

}  // namespace fbl::web::exporting
