#include "web/console/complaints_page.h"

#include <array>

#include "web/console/complaint_filters.h"
#include "web/console/complaint_labels.h"
#include "web/console/display.h"
#include "web/console/texts.h"

namespace fbl::web::console {
namespace {

namespace mustache = kainjow::mustache;

constexpr int kRowsPerPage = 50;
constexpr std::int64_t kCountCap = 10'000;

constexpr std::array<store::Channel, 6> kSources{
    store::Channel::report, store::Channel::one_click, store::Channel::mailgun,
    store::Channel::ses,    store::Channel::sendgrid,  store::Channel::postmark,
};

struct Column {
    const char* label_key;
    const char* sort;  // nullptr: not sortable
};

constexpr std::array kColumns{
    Column{"date", "date"},         Column{"recipient", "recipient"}, Column{"mailing", "mailing"},
    Column{"provider", "provider"}, Column{"feedback_type", "type"},  Column{"source", "source"},
    Column{"trusted", nullptr},     Column{"crm_state", nullptr},     Column{"subject", nullptr},
};

mustache::data columns(const ComplaintFilters& filters, Language language) {
    mustache::data list{mustache::data::type::list};
    for (const auto& column : kColumns) {
        mustache::data item;
        item.set("label", std::string(text(language, column.label_key)));
        if (column.sort != nullptr) {
            bool current = filters.sort == column.sort;
            std::string dir = current && filters.dir == "desc" ? "asc" : "desc";
            item.set("href",
                     "/console/complaints?" + filter_query_string(filters, column.sort, dir));
            item.set("arrow", current ? (filters.dir == "desc" ? " ▼" : " ▲") : "");
        }
        list.push_back(item);
    }
    return list;
}

mustache::data row_data(const store::ComplaintRow& row, Language language) {
    mustache::data item;
    item.set("id", std::to_string(row.id));
    item.set("date", display_time(row.received_at));
    item.set("recipients", recipients_text(row));
    if (!row.mailing_id.empty()) {
        item.set("mailing", row.mailing_id);
        item.set("mailing_href", "/console/complaints?mailing=" + query_encoded(row.mailing_id));
    }
    item.set("provider", row.provider);
    item.set("feedback_type", row.feedback_type);
    item.set("source", source_label(row.channel, language));
    item.set("trusted", std::string(text(language, row.trusted ? "yes" : "no")));
    item.set("trust_reason", row.trust_reason);
    item.set("crm", crm_label(row.crm, language));
    item.set("subject", row.subject);
    return item;
}

mustache::data filter_data(const ComplaintFilters& filters, Language language) {
    mustache::data f;
    f.set("since", filters.since);
    f.set("until", filters.until);
    f.set("mailing", filters.mailing);
    f.set("provider", filters.provider);
    f.set("search", filters.search);
    f.set("sort", filters.sort);
    f.set("dir", filters.dir);
    mustache::data data;
    data.set("f", f);
    mustache::data sources{mustache::data::type::list};
    for (auto channel : kSources) {
        mustache::data option;
        option.set("value", store::to_string(channel));
        option.set("label", source_label(channel, language));
        option.set("selected", filters.source == store::to_string(channel));
        sources.push_back(option);
    }
    data.set("sources", sources);
    data.set("trusted_yes", filters.trusted == "yes");
    data.set("trusted_no", filters.trusted == "no");
    // The export form carries the filters, for "all matching".
    mustache::data hidden{mustache::data::type::list};
    FormFields fields(filter_query_string(filters));
    for (const auto& name : complaint_filter_names()) {
        if (fields.has(name)) {
            mustache::data field;
            field.set("name", name);
            field.set("value", fields.get(name));
            hidden.push_back(field);
        }
    }
    data.set("hidden", hidden);
    mustache::data problems{mustache::data::type::list};
    for (const auto& problem : filters.problems) {
        problems.push_back(std::string(text(language, problem)));
    }
    data.set("problems", problems);
    return data;
}

std::string count_text(std::int64_t count, Language language) {
    if (count >= kCountCap) {
        return std::string(text(language, "more_than")) + " " +
               display_count(kCountCap - 1, language);
    }
    return display_count(count, language);
}

}  // namespace

Response complaints_page(ConsoleRequest& request, ConsoleServices& services) {
    auto filters = read_complaint_filters(request.query);
    auto store = services.store.get();
    auto page =
        store->complaint_page(filters.query, filters.sort_order, filters.after, kRowsPerPage);
    auto data = filter_data(filters, request.language);
    data.set("columns", columns(filters, request.language));
    mustache::data rows{mustache::data::type::list};
    for (const auto& row : page.rows) {
        rows.push_back(row_data(row, request.language));
    }
    data.set("rows", rows);
    data.set("count",
             count_text(store->count_complaints(filters.query, kCountCap), request.language));
    std::string base = "/console/complaints?" + filter_query_string(filters);
    if (page.next) {
        data.set("next_href", base + "&after=" + query_encoded(page.next->value) +
                                  "&after_id=" + std::to_string(page.next->id));
    }
    if (filters.after) {
        data.set("first_href", base);
    }
    Page shown{"complaints", "complaints", render("complaints.mustache", std::move(data), request)};
    return html_page(request, shown);
}

}  // namespace fbl::web::console
