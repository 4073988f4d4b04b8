#pragma once

#include <optional>
#include <string_view>

namespace fbl::web::exporting {

enum class ExportFormat { csv, xlsx, json };

// "csv", "xlsx" or "json" (exactly: the console's own links write them);
// nullopt for anything else.
std::optional<ExportFormat> parse_export_format(std::string_view name);

// For Content-Type, with the charset where the format has one.
std::string_view content_type(ExportFormat format);

// Without the dot: "csv".
std::string_view file_extension(ExportFormat format);

}  // namespace fbl::web::exporting
