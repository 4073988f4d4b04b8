#include "web/export/export_format.h"

namespace fbl::web::exporting {

std::optional<ExportFormat> parse_export_format(std::string_view name) {
    for (auto format : {ExportFormat::csv, ExportFormat::xlsx, ExportFormat::json}) {
        if (name == file_extension(format)) {
            return format;
        }
    }
    return std::nullopt;
}

std::string_view content_type(ExportFormat format) {
    switch (format) {
        case ExportFormat::csv:
            // RFC 4180 registers text/csv; header=present tells a reader the
            // first line names the columns.
            return "text/csv; charset=utf-8; header=present";
        case ExportFormat::xlsx:
            return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
        case ExportFormat::json:
            return "application/json";
    }
    return "application/octet-stream";
}

std::string_view file_extension(ExportFormat format) {
    switch (format) {
        case ExportFormat::csv:
            return "csv";
        case ExportFormat::xlsx:
            return "xlsx";
        case ExportFormat::json:
            return "json";
    }
    return "bin";
}

}  // namespace fbl::web::exporting
