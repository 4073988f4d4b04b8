#pragma once

#include <optional>
#include <string>
#include <vector>

#include "store/console_reader.h"
#include "web/console/form_fields.h"

// The complaints page's filters, sort and position, as they travel in the
// URL (so a filtered view can be bookmarked and shared) and in the export
// form (so "all matching" exports exactly what the page shows).
namespace fbl::web::console {

struct ComplaintFilters {
    // As typed, shown again in the form.
    std::string since, until, mailing, provider, source, trusted, search, sort, dir;
    store::ComplaintQuery query;
    store::ComplaintSort sort_order;
    std::optional<store::ComplaintCursor> after;
    std::vector<std::string> problems;  // text keys of values that were ignored
};

// Reads the fields; a value that does not parse is left out of the query
// and named in `problems`, never an error page.
ComplaintFilters read_complaint_filters(const FormFields& fields);

// "since=...&mailing=..." of the filters and sort (not the position), each
// value percent-encoded; `sort`/`dir` replaced when given.
std::string filter_query_string(const ComplaintFilters& filters, const std::string& sort = "",
                                const std::string& dir = "");

// The names read_complaint_filters reads, for hidden fields in a form.
const std::vector<std::string>& complaint_filter_names();

// The sort column's name in the URL ("date", "recipient", ...).
std::string sort_name(store::ComplaintColumn column);

}  // namespace fbl::web::console
