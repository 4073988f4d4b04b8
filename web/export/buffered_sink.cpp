#include "web/export/buffered_sink.h"

#include <utility>

namespace fbl::web::exporting {

BufferedSink::BufferedSink(ByteSink sink) : sink_(std::move(sink)) {
    // One long cell can overshoot the chunk; the common case never grows.
    buffer_.reserve(2 * kChunkBytes);
}

void BufferedSink::flush() {
    if (buffer_.empty()) {
        return;
    }
    sink_(buffer_);
    buffer_.clear();
}

}  // namespace fbl::web::exporting
