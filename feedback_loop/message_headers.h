#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <gmime/gmime.h>

#include "feedback_loop/report.h"

// Reads the headers we keep from a GMime message: the report's own, and the
// original's (the message the report is about).
namespace fbl::feedback_loop {

struct HeaderOptions {
    std::string_view reference_header;
    const std::vector<std::string>* mailing_id_headers = nullptr;
};

ReportHeaders read_report_headers(GMimeMessage* message);
OriginalHeaders read_original_headers(GMimeMessage* message, std::string source,
                                      const HeaderOptions& options);

// Unfolded value of the first header of that name (case-insensitive).
std::optional<std::string> header_value(GMimeObject* object, std::string_view name);
// Every header of that name, unfolded, in order.
std::vector<std::string> header_values(GMimeObject* object, std::string_view name);

}  // namespace fbl::feedback_loop
