#pragma once

#include <cstddef>
#include <string>

// The messages both benchmarks (ours and Sisimai's) read: a typical ARF
// complaint of about 4 KB and one of about 1 MB whose original carries a
// large base64 attachment.
namespace fbl::bench {

std::string typical_report();  // ~4 KB
std::string large_report();    // ~1 MB
std::string make_report(std::size_t attachment_bytes, std::size_t text_lines);

}  // namespace fbl::bench
