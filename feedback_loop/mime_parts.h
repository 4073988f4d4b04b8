#pragma once

#include <vector>

#include <gmime/gmime.h>

// Where the pieces of a report sit in one message's MIME tree. Pointers are
// borrowed from the message, which must outlive this.
namespace fbl::feedback_loop {

struct ReportParts {
    GMimePart* feedback = nullptr;          // message/feedback-report
    GMimeMessage* original = nullptr;       // first message/rfc822 (or message/global)
    GMimePart* original_headers = nullptr;  // text/rfc822-headers, message/rfc822-headers
    std::vector<GMimePart*> text_parts;     // other leaf text parts, in order
    std::vector<GMimeMessage*> embedded;    // every attached message, in order
    bool multipart_report = false;          // a multipart/report container was seen
    bool truncated = false;                 // parts past limits::kMaxMimeParts were not looked at
};

// Walks the tree without entering attached messages (those are listed in
// `embedded`); at most limits::kMaxMimeDepth deep and limits::kMaxMimeParts
// parts.
ReportParts locate_parts(GMimeMessage* message);

}  // namespace fbl::feedback_loop
