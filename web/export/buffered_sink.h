#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "web/export/table_writer.h"

namespace fbl::web::exporting {

// Collects small appends into chunks of about kChunkBytes before calling
// the sink: a CSV row is a dozen appends, and a chunked HTTP response pays
// for every call with a chunk header and a write.
class BufferedSink {
  public:
    static constexpr std::size_t kChunkBytes = 64 * 1024;

    explicit BufferedSink(ByteSink sink);

    void append(std::string_view bytes) {
        buffer_.append(bytes);
        flush_when_full();
    }
    void append(char byte) {
        buffer_.push_back(byte);
        flush_when_full();
    }
    // Everything appended so far goes to the sink.
    void flush();

  private:
    void flush_when_full() {
        if (buffer_.size() >= kChunkBytes) {
            flush();
        }
    }

    ByteSink sink_;
    std::string buffer_;
};

}  // namespace fbl::web::exporting
