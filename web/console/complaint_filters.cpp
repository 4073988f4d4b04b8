#include "web/console/complaint_filters.h"

#include <array>
#include <charconv>

#include "common/dates.h"
#include "web/console/page.h"

namespace fbl::web::console {
namespace {

struct SortName {
    const char* name;
    store::ComplaintColumn column;
};

constexpr std::array kSortNames{
    SortName{"date", store::ComplaintColumn::received_at},
    SortName{"recipient", store::ComplaintColumn::recipient},
    SortName{"mailing", store::ComplaintColumn::mailing},
    SortName{"provider", store::ComplaintColumn::provider},
    SortName{"type", store::ComplaintColumn::feedback_type},
    SortName{"source", store::ComplaintColumn::channel},
};

constexpr std::size_t kMaxFieldBytes = 320;

std::string bounded(const FormFields& fields, const char* name) {
    std::string value = fields.get(name);
    return value.size() > kMaxFieldBytes ? value.substr(0, kMaxFieldBytes) : value;
}

void read_dates(ComplaintFilters& filters) {
    if (!filters.since.empty()) {
        filters.query.since = dates::parse_date(filters.since);
        if (!filters.query.since) {
            filters.problems.emplace_back("bad_date");
        }
    }
    if (!filters.until.empty()) {
        filters.query.until = dates::parse_date_until(filters.until);
        if (!filters.query.until) {
            filters.problems.emplace_back("bad_date");
        }
    }
}

void read_choices(ComplaintFilters& filters) {
    if (!filters.source.empty()) {
        filters.query.channel = store::parse_channel(filters.source);
        if (!filters.query.channel) {
            filters.source.clear();
        }
    }
    if (filters.trusted == "yes") {
        filters.query.trusted = true;
    } else if (filters.trusted == "no") {
        filters.query.trusted = false;
    } else {
        filters.trusted.clear();
    }
    filters.sort_order = {};
    for (const auto& entry : kSortNames) {
        if (filters.sort == entry.name) {
            filters.sort_order.column = entry.column;
        }
    }
    filters.sort = sort_name(filters.sort_order.column);
    filters.sort_order.descending = filters.dir != "asc";
    filters.dir = filters.sort_order.descending ? "desc" : "asc";
}

void read_position(const FormFields& fields, ComplaintFilters& filters) {
    std::string after_id = fields.get("after_id");
    if (after_id.empty()) {
        return;
    }
    std::int64_t id = 0;
    auto [end, error] = std::from_chars(after_id.data(), after_id.data() + after_id.size(), id);
    if (error == std::errc{} && end == after_id.data() + after_id.size()) {
        filters.after = store::ComplaintCursor{bounded(fields, "after"), id};
    }
}

}  // namespace

ComplaintFilters read_complaint_filters(const FormFields& fields) {
    ComplaintFilters filters;
    filters.since = bounded(fields, "since");
    filters.until = bounded(fields, "until");
    filters.mailing = bounded(fields, "mailing");
    filters.provider = bounded(fields, "provider");
    filters.source = bounded(fields, "source");
    filters.trusted = bounded(fields, "trusted");
    filters.search = bounded(fields, "q");
    filters.sort = bounded(fields, "sort");
    filters.dir = bounded(fields, "dir");
    read_dates(filters);
    read_choices(filters);
    filters.query.mailing_id = filters.mailing;
    filters.query.provider = filters.provider;
    filters.query.search = filters.search;
    read_position(fields, filters);
    return filters;
}

std::string filter_query_string(const ComplaintFilters& filters, const std::string& sort,
                                const std::string& dir) {
    std::string query;
    auto add = [&query](const char* name, const std::string& value) {
        if (!value.empty()) {
            query += (query.empty() ? "" : "&") + std::string(name) + "=" + query_encoded(value);
        }
    };
    add("since", filters.since);
    add("until", filters.until);
    add("mailing", filters.mailing);
    add("provider", filters.provider);
    add("source", filters.source);
    add("trusted", filters.trusted);
    add("q", filters.search);
    add("sort", sort.empty() ? filters.sort : sort);
    add("dir", dir.empty() ? filters.dir : dir);
    return query;
}

const std::vector<std::string>& complaint_filter_names() {
    static const std::vector<std::string> names{"since",   "until", "mailing", "provider", "source",
                                                "trusted", "q",     "sort",    "dir"};
    return names;
}

std::string sort_name(store::ComplaintColumn column) {
    for (const auto& entry : kSortNames) {
        if (entry.column == column) {
            return entry.name;
        }
    }
    return "date";
}

}  // namespace fbl::web::console
