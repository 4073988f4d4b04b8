#include <utility>

#include "web/export/csv_writer.h"
#include "web/export/json_writer.h"
#include "web/export/table_writer.h"
#include "web/export/xlsx_writer.h"

namespace fbl::web::exporting {

std::unique_ptr<TableWriter> make_writer(ExportFormat format, ByteSink sink) {
    switch (format) {
        case ExportFormat::csv:
            return std::make_unique<CsvWriter>(std::move(sink));
        case ExportFormat::xlsx:
            return std::make_unique<XlsxWriter>(std::move(sink));
        case ExportFormat::json:
            return std::make_unique<JsonWriter>(std::move(sink));
    }
    throw std::invalid_argument("export: unknown format");
}

}  // namespace fbl::web::exporting
