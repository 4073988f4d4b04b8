#include "feedback_loop/mime_parts.h"

#include <string>

#include "feedback_loop/gmime_handle.h"
#include "feedback_loop/limits.h"

namespace fbl::feedback_loop {
namespace {

void visit_leaf(GMimePart* part, ReportParts& parts) {
    std::string type = gmime::mime_type(GMIME_OBJECT(part));
    if (type == "message/feedback-report") {
        if (parts.feedback == nullptr) {
            parts.feedback = part;
        }
    } else if (type == "text/rfc822-headers" || type == "message/rfc822-headers") {
        if (parts.original_headers == nullptr) {
            parts.original_headers = part;
        }
    } else if (type.rfind("text/", 0) == 0 || type == "message/feedback-report-text") {
        parts.text_parts.push_back(part);
    }
}

void visit(GMimeObject* object, ReportParts& parts, int depth, std::size_t& visited) {
    if (object == nullptr || depth > limits::kMaxMimeDepth) {
        return;
    }
    if (++visited > limits::kMaxMimeParts) {
        parts.truncated = true;
        return;
    }
    if (GMIME_IS_MULTIPART(object)) {
        if (gmime::mime_type(object) == "multipart/report") {
            parts.multipart_report = true;
        }
        auto* multipart = GMIME_MULTIPART(object);
        int count = g_mime_multipart_get_count(multipart);
        for (int i = 0; i < count && !parts.truncated; ++i) {
            visit(g_mime_multipart_get_part(multipart, i), parts, depth + 1, visited);
        }
    } else if (GMIME_IS_MESSAGE_PART(object)) {
        GMimeMessage* message = g_mime_message_part_get_message(GMIME_MESSAGE_PART(object));
        if (message != nullptr) {
            parts.embedded.push_back(message);
            if (parts.original == nullptr) {
                parts.original = message;
            }
        }
    } else if (GMIME_IS_PART(object)) {
        visit_leaf(GMIME_PART(object), parts);
    }
}

}  // namespace

ReportParts locate_parts(GMimeMessage* message) {
    ReportParts parts;
    std::size_t visited = 0;
    visit(g_mime_message_get_mime_part(message), parts, 0, visited);
    return parts;
}

}  // namespace fbl::feedback_loop
