#pragma once

#include <cstddef>
#include <string>

// The messages the parser benchmarks (ours and Sisimai's) and the
// hostile-input tests read: a typical ARF complaint of about 4 KB, one of
// about 1 MB whose original carries a large base64 attachment, and the
// shapes an attacker would send to make parsing slow.
namespace fbl::bench {

std::string typical_report();  // ~4 KB
std::string large_report();    // ~1 MB
std::string make_report(std::size_t attachment_bytes, std::size_t text_lines);

// Adversarial shapes, each an otherwise valid complaint about
// alice@example.org (so a bounded parse still resolves her), padded with
// `count` repetitions of the hostile element.
std::string report_with_extension_fields(std::size_t count);  // distinct X-Extension-N: fields
std::string report_with_recipients(std::size_t count);        // Original-Rcpt-To lines
std::string report_with_parts(std::size_t count);             // text/plain parts after the report
std::string report_with_long_header(std::size_t bytes);       // one unfolded header line
// `depth` multipart/mixed containers, each inside the last; with `folded`
// the media type sits on a continuation line of Content-Type.
std::string report_nested(std::size_t depth, bool folded);

// The `count` that makes each shape about `bytes` long.
std::size_t extension_fields_for(std::size_t bytes);
std::size_t recipients_for(std::size_t bytes);
std::size_t parts_for(std::size_t bytes);
std::size_t nesting_for(std::size_t bytes);

}  // namespace fbl::bench
