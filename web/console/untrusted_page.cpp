#include "web/console/untrusted_page.h"

#include <charconv>

#include "common/log.h"
#include "intake/intake.h"
#include "intake/raw_copy.h"
#include "web/console/complaint_labels.h"
#include "web/console/display.h"
#include "web/console/texts.h"

namespace fbl::web::console {
namespace {

namespace mustache = kainjow::mustache;

constexpr int kRowsPerPage = 50;

std::optional<std::int64_t> id_of(const std::string& text) {
    std::int64_t id = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), id);
    if (error != std::errc{} || end != text.data() + text.size() || id <= 0) {
        return std::nullopt;
    }
    return id;
}

std::string outcome_message(const intake::IntakeResult& result, Language language) {
    if (result.trusted) {
        return std::string(text(language, "trusted_now"));
    }
    return std::string(text(language, "still_untrusted")) + " " + result.reason;
}

}  // namespace

Response untrusted_page(ConsoleRequest& request, ConsoleServices& services) {
    store::ComplaintQuery query;
    query.trusted = false;
    std::optional<store::ComplaintCursor> after;
    if (auto id = id_of(request.query.get("after_id"))) {
        after = store::ComplaintCursor{request.query.get("after"), *id};
    }
    auto page = services.store.get()->complaint_page(query, {}, after, kRowsPerPage);
    bool admin = request.user().role == Role::admin;
    mustache::data rows{mustache::data::type::list};
    for (const auto& row : page.rows) {
        mustache::data item;
        item.set("id", std::to_string(row.id));
        item.set("date", display_time(row.received_at));
        item.set("provider", row.provider);
        item.set("recipients", recipients_text(row));
        item.set("feedback_type", row.feedback_type);
        item.set("subject", row.subject);
        item.set("reason", row.trust_reason);
        item.set("admin", admin);
        rows.push_back(item);
    }
    mustache::data data;
    data.set("rows", rows);
    data.set("admin", admin);
    if (page.next) {
        data.set("next_href", "/console/untrusted?after=" + query_encoded(page.next->value) +
                                  "&after_id=" + std::to_string(page.next->id));
    }
    if (after) {
        data.set("first_href", "/console/untrusted");
    }
    Page shown{"untrusted", "untrusted", render("untrusted.mustache", std::move(data), request),
               request.query.get("message").substr(0, 500)};
    return html_page(request, shown);
}

Response reevaluate_report(ConsoleRequest& request, ConsoleServices& services) {
    auto id = id_of(request.form.get("id"));
    if (!id) {
        return text_response(Status::bad_request, "no complaint id\n");
    }
    auto store = services.store.get();
    auto raw = intake::from_raw_copy(store->raw_report(*id));
    std::string message;
    if (!raw) {
        message = std::string(text(request.language, "no_raw_copy"));
    } else {
        try {
            auto config = services.config();
            auto result = intake::Intake(*config, *store).reevaluate(*id, *raw);
            message = outcome_message(result, request.language);
            log::notice("console: {} re-evaluated complaint {}: {}", request.user().name, *id,
                        result.trusted ? "trusted now" : "still untrusted");
        } catch (const feedback_loop::TemporaryTrustFailure&) {
            message = std::string(text(request.language, "try_later"));
        }
    }
    return see_other("/console/untrusted?message=" + query_encoded(message));
}

}  // namespace fbl::web::console
