#include "web/console/complaints_export.h"

#include <charconv>

#include "common/dates.h"
#include "common/log.h"
#include "web/console/complaint_filters.h"
#include "web/console/complaint_labels.h"
#include "web/console/texts.h"
#include "web/export/table_writer.h"

namespace fbl::web::console {
namespace {

using exporting::Cell;
using exporting::Column;

// The columns of every complaints export, in order.
const std::vector<Column>& export_columns() {
    using Kind = Column::Kind;
    static const std::vector<Column> columns{
        {"id", Kind::integer},      {"received_at", Kind::timestamp},
        {"recipient", Kind::text},  {"mailing", Kind::text},
        {"provider", Kind::text},   {"feedback_type", Kind::text},
        {"kind", Kind::text},       {"source", Kind::text},
        {"trusted", Kind::boolean}, {"trust_reason", Kind::text},
        {"crm", Kind::text},        {"subject", Kind::text},
    };
    return columns;
}

std::vector<Cell> export_row(const store::ComplaintRow& row) {
    return {row.id,
            row.received_at,
            recipients_text(row),
            row.mailing_id,
            row.provider,
            row.feedback_type,
            std::string(store::to_string(row.kind)),
            std::string(store::to_string(row.channel)),
            row.trusted,
            row.trust_reason,
            std::string(store::to_string(row.crm)),
            row.subject};
}

ContentType content_type_of(exporting::ExportFormat format) {
    switch (format) {
        case exporting::ExportFormat::xlsx:
            return ContentType::xlsx;
        case exporting::ExportFormat::json:
            return ContentType::application_json;
        case exporting::ExportFormat::csv:
            break;
    }
    return ContentType::text_csv;
}

// The checked rows; nullopt when one is not an id or there are too many.
std::optional<std::vector<std::int64_t>> selected_ids(const FormFields& form) {
    auto values = form.all("id");
    if (values.size() > store::kMaxQueryIds) {
        return std::nullopt;
    }
    std::vector<std::int64_t> ids;
    for (const auto& value : values) {
        std::int64_t id = 0;
        auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), id);
        if (error != std::errc{} || end != value.data() + value.size()) {
            return std::nullopt;
        }
        ids.push_back(id);
    }
    return ids;
}

Response refused_export(ConsoleRequest& request, const char* message_key) {
    Page page{"complaints", "complaints", "", std::string(text(request.language, message_key)),
              Status::bad_request};
    return html_page(request, page);
}

std::string file_name(exporting::ExportFormat format) {
    std::string stamp = dates::format_time(std::chrono::system_clock::now());  // ...T..:..:..Z
    for (char& c : stamp) {
        if (c == ':') {
            c = '-';
        }
    }
    return "complaints-" + stamp + "." + std::string(exporting::file_extension(format));
}

}  // namespace

Response export_complaints(ConsoleRequest& request, ConsoleServices& services) {
    auto format = exporting::parse_export_format(request.form.get("format"));
    if (!format) {
        return refused_export(request, "bad_choice");
    }
    auto filters = read_complaint_filters(request.form);
    if (request.form.get("all_matching") != "1") {
        auto ids = selected_ids(request.form);
        if (!ids) {
            return refused_export(request, "too_many_selected");
        }
        if (ids->empty()) {
            return refused_export(request, "nothing_selected");
        }
        // Exactly the checked rows, whatever the filters say now.
        filters.query = store::ComplaintQuery{};
        filters.query.ids = std::move(*ids);
    }
    auto store = services.store.get();
    log::notice("console: {} exports complaints as {}", request.user().name,
                exporting::file_extension(*format));
    Response response;
    response.content_type = content_type_of(*format);
    response.headers.add("Content-Disposition",
                         "attachment; filename=\"" + file_name(*format) + "\"");
    add_console_headers(response);
    response.stream = [store, format = *format, query = std::move(filters.query),
                       sort = filters.sort_order](const BodySink& sink) {
        auto writer = exporting::make_writer(format, sink);
        writer->begin(export_columns());
        store->each_complaint(query, sort, [&writer](const store::ComplaintRow& row) {
            writer->row(export_row(row));
        });
        writer->end();
    };
    return response;
}

}  // namespace fbl::web::console
