#include "web/console/outbox_page.h"

#include <array>
#include <charconv>
#include <map>

#include <nlohmann/json.hpp>

#include "common/log.h"
#include "web/console/display.h"
#include "web/console/texts.h"

namespace fbl::web::console {
namespace {

namespace mustache = kainjow::mustache;

constexpr std::size_t kJobsShown = 200;
constexpr std::size_t kResponseShown = 300;
constexpr std::array kStates{store::JobState::pending, store::JobState::leased,
                             store::JobState::done, store::JobState::dead};

std::string email_of(const store::OutboxJob& job) {
    auto payload = nlohmann::json::parse(job.payload_json, nullptr, false);
    if (payload.is_object() && payload.contains("email") && payload["email"].is_string()) {
        return payload["email"].get<std::string>();
    }
    return "";
}

mustache::data counts_by_adapter(store::Store& store, Language language) {
    std::map<std::string, std::array<std::int64_t, kStates.size()>> by_adapter;
    for (const auto& count : store.outbox_counts()) {
        auto& row = by_adapter[count.adapter];
        row[static_cast<std::size_t>(count.state)] += count.jobs;
    }
    mustache::data adapters{mustache::data::type::list};
    for (const auto& [name, counts] : by_adapter) {
        mustache::data row;
        row.set("name", name);
        mustache::data cells{mustache::data::type::list};
        for (auto count : counts) {
            cells.push_back(display_count(count, language));
        }
        row.set("counts", cells);
        adapters.push_back(row);
    }
    return adapters;
}

mustache::data job_data(const store::OutboxJob& job, bool admin) {
    mustache::data row;
    row.set("id", std::to_string(job.id));
    row.set("adapter", job.adapter);
    row.set("email", email_of(job));
    row.set("attempts", std::to_string(job.attempts));
    row.set("next_attempt",
            job.state == store::JobState::pending ? display_time(job.next_attempt_at) : "");
    row.set("error", job.last_error);
    row.set("response", job.last_response.substr(0, kResponseShown));
    row.set("dead", job.state == store::JobState::dead);
    row.set("admin", admin);
    return row;
}

}  // namespace

Response outbox_page(ConsoleRequest& request, ConsoleServices& services) {
    auto state = store::parse_job_state(request.query.get("state")).value_or(store::JobState::dead);
    auto store = services.store.get();
    bool admin = request.user().role == Role::admin;
    mustache::data data;
    mustache::data states{mustache::data::type::list};
    for (auto each : kStates) {
        states.push_back(std::string(store::to_string(each)));
    }
    data.set("states", states);
    data.set("adapters", counts_by_adapter(*store, request.language));
    data.set("state", store::to_string(state));
    data.set("admin", admin);
    auto jobs = store->outbox(state, kJobsShown + 1);
    mustache::data rows{mustache::data::type::list};
    for (std::size_t i = 0; i < jobs.size() && i < kJobsShown; ++i) {
        rows.push_back(job_data(jobs[i], admin));
    }
    data.set("jobs", rows);
    if (jobs.size() > kJobsShown) {
        data.set("more", true);
        data.set("shown", std::to_string(kJobsShown));
    }
    std::string done = request.query.get("done");
    Page page{"outbox", "outbox", render("outbox.mustache", std::move(data), request),
              done == "requeued" ? std::string(text(request.language, "requeued")) : ""};
    return html_page(request, page);
}

Response retry_job(ConsoleRequest& request, ConsoleServices& services) {
    std::string text_id = request.form.get("id");
    std::int64_t id = 0;
    auto [end, error] = std::from_chars(text_id.data(), text_id.data() + text_id.size(), id);
    if (error != std::errc{} || end != text_id.data() + text_id.size() || id <= 0) {
        return text_response(Status::bad_request, "no job id\n");
    }
    int requeued = services.store.get()->requeue_jobs(id);
    log::notice("console: {} queued CRM job {} again ({})", request.user().name, id,
                requeued == 1 ? "done" : "it was not a dead letter");
    return see_other("/console/outbox?state=pending&done=requeued");
}

}  // namespace fbl::web::console
