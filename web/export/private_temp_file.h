#pragma once

#include <string>
#include <string_view>

#include "web/export/table_writer.h"

namespace fbl::web::exporting {

// A file of our own in $TMPDIR (or /tmp): created by mkstemp (mode 0600, a
// name nobody else can have taken), removed when this object goes, whether
// the export ended or failed half-way. The descriptor stays open, so the
// contents can still be read after unlink().
class PrivateTempFile {
  public:
    explicit PrivateTempFile(std::string_view name_prefix);
    ~PrivateTempFile();
    PrivateTempFile(const PrivateTempFile&) = delete;
    PrivateTempFile& operator=(const PrivateTempFile&) = delete;

    const std::string& path() const { return path_; }
    static std::string directory();

    // Removes the name now; the open descriptor keeps the contents.
    void unlink();
    // The whole file from its start, in chunks of `chunk_bytes`.
    void send_to(const ByteSink& sink, std::size_t chunk_bytes) const;

  private:
    std::string path_;
    int descriptor_ = -1;
};

}  // namespace fbl::web::exporting
