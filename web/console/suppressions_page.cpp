#include "web/console/suppressions_page.h"

#include "common/log.h"
#include "suppression/normalize.h"
#include "web/console/display.h"
#include "web/console/texts.h"
#include "web/export/table_writer.h"

namespace fbl::web::console {
namespace {

namespace mustache = kainjow::mustache;

constexpr int kRowsPerPage = 100;
constexpr std::size_t kMaxNoteBytes = 500;
constexpr std::size_t kMaxSearchBytes = 320;

std::string actor_of(const ConsoleRequest& request) {
    return "console:" + request.user().name;
}

std::string expiry_text(const std::optional<dates::TimePoint>& expires, Language language) {
    return expires ? display_time(*expires) : std::string(text(language, "never"));
}

mustache::data suppression_data(const store::Suppression& entry, Language language) {
    mustache::data row;
    row.set("key", entry.key);
    row.set("key_link", query_encoded(entry.key));
    row.set("address", entry.address);
    row.set("reason", store::to_string(entry.reason));
    row.set("scope", store::to_string(entry.scope));
    row.set("source", entry.source);
    row.set("mailing", entry.mailing_id);
    row.set("first_at", display_time(entry.first_at));
    row.set("count", display_count(entry.count, language));
    row.set("expires", expiry_text(entry.expires_at, language));
    row.set("note", entry.note);
    return row;
}

Response back_to_entry(const std::string& key, const std::string& message_key) {
    return see_other("/console/suppressions/entry?key=" + query_encoded(key) +
                     "&done=" + message_key);
}

std::string bounded(const FormFields& fields, const char* name, std::size_t limit) {
    std::string value = fields.get(name);
    return value.size() > limit ? value.substr(0, limit) : value;
}

// A refused change: the page again, with why.
Response refused_change(ConsoleRequest& request, const char* message_key) {
    Page page{"suppressions", "suppressions", "", std::string(text(request.language, message_key)),
              Status::bad_request};
    return html_page(request, page);
}

const std::vector<exporting::Column>& suppression_columns() {
    using Kind = exporting::Column::Kind;
    static const std::vector<exporting::Column> columns{
        {"address", Kind::text},         {"key", Kind::text},          {"reason", Kind::text},
        {"scope", Kind::text},           {"source", Kind::text},       {"mailing", Kind::text},
        {"first_at", Kind::timestamp},   {"last_at", Kind::timestamp}, {"count", Kind::integer},
        {"expires_at", Kind::timestamp}, {"note", Kind::text},
    };
    return columns;
}

std::vector<exporting::Cell> suppression_cells(const store::Suppression& entry) {
    exporting::Cell expires;
    if (entry.expires_at) {
        expires = *entry.expires_at;
    }
    return {entry.address,
            entry.key,
            std::string(store::to_string(entry.reason)),
            std::string(store::to_string(entry.scope)),
            entry.source,
            entry.mailing_id,
            entry.first_at,
            entry.last_at,
            entry.count,
            expires,
            entry.note};
}

}  // namespace

Response suppressions_page(ConsoleRequest& request, ConsoleServices& services) {
    std::string search = bounded(request.query, "q", kMaxSearchBytes);
    std::string after = bounded(request.query, "after", kMaxSearchBytes);
    auto page = services.store.get()->suppression_page(search, after, kRowsPerPage);
    mustache::data data;
    data.set("q", search);
    data.set("q_link", query_encoded(search));
    mustache::data rows{mustache::data::type::list};
    for (const auto& entry : page.rows) {
        rows.push_back(suppression_data(entry, request.language));
    }
    data.set("rows", rows);
    std::string base = "/console/suppressions?q=" + query_encoded(search);
    if (page.next_key) {
        data.set("next_href", base + "&after=" + query_encoded(*page.next_key));
    }
    if (!after.empty()) {
        data.set("first_href", base);
    }
    data.set("admin", request.user().role == Role::admin);
    Page shown{"suppressions", "suppressions",
               render("suppressions.mustache", std::move(data), request)};
    return html_page(request, shown);
}

Response suppression_entry_page(ConsoleRequest& request, ConsoleServices& services) {
    std::string key = bounded(request.query, "key", kMaxSearchBytes);
    auto store = services.store.get();
    mustache::data data;
    if (auto entry = store->find(key)) {
        auto shown = suppression_data(*entry, request.language);
        shown.set("complaint", entry->reason == store::Reason::complaint);
        shown.set("admin", request.user().role == Role::admin);
        data.set("entry", shown);
    }
    mustache::data history{mustache::data::type::list};
    for (const auto& change : store->history(key)) {
        mustache::data row;
        row.set("date", display_time(change.changed_at));
        row.set("change",
                std::string(text(request.language, change.suppressed ? "suppressed" : "lifted")));
        row.set("scope", store::to_string(change.scope));
        row.set("actor", change.actor);
        row.set("reason", change.reason);
        row.set("note", change.note);
        history.push_back(row);
    }
    data.set("history", history);
    std::string done = request.query.get("done");
    Page page{
        "suppressions", "suppressions",
        render("suppression_entry.mustache", std::move(data), request),
        done == "removed" || done == "added" ? std::string(text(request.language, done)) : ""};
    return html_page(request, page);
}

Response add_suppression(ConsoleRequest& request, ConsoleServices& services) {
    auto config = services.config();
    std::string address = bounded(request.form, "address", kMaxSearchBytes);
    auto normalized = suppression::AddressNormalizer(config->suppression).normalize(address);
    if (!normalized.ok()) {
        return refused_change(request, "bad_address");
    }
    auto reason = store::parse_reason(request.form.get("reason"));
    auto scope = store::parse_scope(request.form.get("scope"));
    if (!reason || !scope) {
        return refused_change(request, "bad_choice");
    }
    auto now = std::chrono::system_clock::now();
    std::optional<dates::TimePoint> expires_at;
    if (std::string expires = bounded(request.form, "expires", 40); !expires.empty()) {
        auto expiry = dates::parse_expiry(expires, now);
        if (!expiry) {
            return refused_change(request, "bad_expiry");
        }
        expires_at = *expiry;
    } else if (config->suppression.default_expiry) {
        expires_at = now + *config->suppression.default_expiry;
    }
    store::Suppression entry;
    entry.key = normalized.key;
    entry.address = address;
    entry.reason = *reason;
    entry.scope = *scope;
    entry.source = actor_of(request);
    entry.first_at = now;
    entry.last_at = now;
    entry.expires_at = expires_at;
    entry.note = bounded(request.form, "note", kMaxNoteBytes);
    services.store.get()->add(entry, store::Actor{actor_of(request)});
    log::notice("console: {} suppressed {}", request.user().name, log::address(normalized.key));
    return back_to_entry(normalized.key, "added");
}

Response remove_suppression(ConsoleRequest& request, ConsoleServices& services) {
    std::string key = bounded(request.form, "key", kMaxSearchBytes);
    std::string note = bounded(request.form, "note", kMaxNoteBytes);
    if (note.find_first_not_of(" \t") == std::string::npos) {
        return refused_change(request, "note_missing");
    }
    auto store = services.store.get();
    auto entry = store->find(key);
    if (entry && entry->reason == store::Reason::complaint &&
        request.form.get("confirm_complaint") != "1") {
        return refused_change(request, "confirm_missing");
    }
    store->remove(key, note, store::Actor{actor_of(request)});
    log::notice("console: {} lifted the suppression of {}", request.user().name, log::address(key));
    return back_to_entry(key, "removed");
}

}  // namespace fbl::web::console

namespace fbl::web::console {

Response export_suppressions(ConsoleRequest& request, ConsoleServices& services) {
    std::string search = bounded(request.query, "q", kMaxSearchBytes);
    auto store = services.store.get();
    log::notice("console: {} exports suppressions", request.user().name);
    Response response;
    response.content_type = ContentType::text_csv;
    response.headers.add("Content-Disposition", "attachment; filename=\"suppressions.csv\"");
    add_console_headers(response);
    response.stream = [store, search](const BodySink& sink) {
        auto writer = exporting::make_writer(exporting::ExportFormat::csv, sink);
        writer->begin(suppression_columns());
        std::string after;
        for (;;) {
            auto page = store->suppression_page(search, after, store::kMaxPageRows);
            for (const auto& entry : page.rows) {
                writer->row(suppression_cells(entry));
            }
            if (!page.next_key) {
                break;
            }
            after = *page.next_key;
        }
        writer->end();
    };
    return response;
}

}  // namespace fbl::web::console
