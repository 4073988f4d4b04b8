#include "web/console/overview_page.h"

#include "web/console/display.h"

namespace fbl::web::console {
namespace {

namespace mustache = kainjow::mustache;
using namespace std::chrono_literals;

constexpr std::int64_t kCountCap = 1'000'000;

struct OutboxDepth {
    std::int64_t waiting = 0;
    std::int64_t dead = 0;
};

OutboxDepth outbox_depth(store::Store& store) {
    OutboxDepth depth;
    for (const auto& count : store.outbox_counts()) {
        if (count.state == store::JobState::dead) {
            depth.dead += count.jobs;
        } else if (count.state != store::JobState::done) {
            depth.waiting += count.jobs;
        }
    }
    return depth;
}

std::optional<mustache::data> worst_mailing(store::Store& store, const config::Config& config,
                                            Language language) {
    for (const auto& mailing : store.mailing_stats(std::chrono::system_clock::now() - 7 * 24h)) {
        if (mailing.complaints == 0 || mailing.mailing_id.empty()) {
            continue;
        }
        mustache::data worst;
        worst.set("name", mailing.mailing_id);
        worst.set("link", query_encoded(mailing.mailing_id));
        worst.set("sends", display_count(mailing.sends, language));
        worst.set("complaints", display_count(mailing.complaints, language));
        worst.set("rate", display_rate(mailing.complaints, mailing.sends, language));
        worst.set("flag", std::string(rate_flag(mailing.complaints, mailing.sends, config.stats)));
        return worst;
    }
    return std::nullopt;
}

}  // namespace

Response overview_page(ConsoleRequest& request, ConsoleServices& services) {
    auto store = services.store.get();
    auto config = services.config();
    auto today = start_of_day(std::chrono::system_clock::now());
    std::int64_t complaints = 0;
    std::int64_t unsubscribes = 0;
    for (const auto& mailing : store->mailing_stats(today)) {
        complaints += mailing.complaints;
        unsubscribes += mailing.unsubscribes;
    }
    store::ComplaintQuery untrusted;
    untrusted.since = today;
    untrusted.trusted = false;
    auto outbox = outbox_depth(*store);

    mustache::data data;
    data.set("today", dates::format_time(today).substr(0, 10));
    data.set("complaints", display_count(complaints, request.language));
    data.set("unsubscribes", display_count(unsubscribes, request.language));
    data.set("untrusted",
             display_count(store->count_complaints(untrusted, kCountCap), request.language));
    data.set("outbox_waiting", display_count(outbox.waiting, request.language));
    data.set("outbox_dead", display_count(outbox.dead, request.language));
    if (auto worst = worst_mailing(*store, *config, request.language)) {
        data.set("worst", *worst);
    }
    Page page{"overview", "overview", render("overview.mustache", std::move(data), request)};
    return html_page(request, page);
}

}  // namespace fbl::web::console
