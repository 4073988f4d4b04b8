#include "web/console/mailings_page.h"

#include <array>

#include "web/console/charts.h"
#include "web/console/display.h"
#include "web/console/texts.h"

namespace fbl::web::console {
namespace {

namespace mustache = kainjow::mustache;
using namespace std::chrono_literals;

constexpr std::size_t kChartBars = 20;
constexpr std::size_t kTableRows = 500;

struct Period {
    const char* value;
    const char* label_key;
    int days;  // 0 = all time
};

constexpr std::array kPeriods{
    Period{"7", "last_7_days", 7},
    Period{"30", "last_30_days", 30},
    Period{"90", "last_90_days", 90},
    Period{"all", "all_time", 0},
};

const Period& chosen_period(const FormFields& query) {
    std::string days = query.get("days");
    for (const auto& period : kPeriods) {
        if (days == period.value) {
            return period;
        }
    }
    return kPeriods[1];
}

double rate_of(std::int64_t complaints, std::int64_t sends) {
    return sends > 0 ? static_cast<double>(complaints) / static_cast<double>(sends) : 0.0;
}

std::string mailing_name(const std::string& id, Language language) {
    return id.empty() ? std::string(text(language, "no_mailing")) : id;
}

std::string providers_text(const store::MailingStats& mailing, Language language) {
    std::string joined;
    for (const auto& [provider, count] : mailing.top_providers) {
        joined +=
            (joined.empty() ? "" : ", ") + provider + " (" + display_count(count, language) + ")";
    }
    return joined;
}

mustache::data table_row(const store::MailingStats& mailing, const config::StatsSettings& stats,
                         Language language) {
    mustache::data row;
    row.set("name", mailing_name(mailing.mailing_id, language));
    row.set("href", "/console/complaints?mailing=" + query_encoded(mailing.mailing_id));
    row.set("chart_href", "/console/mailings?mailing=" + query_encoded(mailing.mailing_id));
    row.set("sends", display_count(mailing.sends, language));
    row.set("complaints", display_count(mailing.complaints, language));
    row.set("unsubscribes", display_count(mailing.unsubscribes, language));
    row.set("untrusted", display_count(mailing.untrusted, language));
    row.set("rate", display_rate(mailing.complaints, mailing.sends, language));
    std::string flag(rate_flag(mailing.complaints, mailing.sends, stats));
    row.set("flag", flag);
    if (!flag.empty()) {
        row.set("flag_text", std::string(text(language, "flag_" + flag)));
    }
    row.set("providers", providers_text(mailing, language));
    row.set("not_in_crm", mailing.complaints > 0
                              ? display_rate(mailing.not_in_crm, mailing.complaints, language)
                              : "—");
    return row;
}

std::vector<Bar> bars_of(const std::vector<store::MailingStats>& mailings,
                         const config::StatsSettings& stats, Language language) {
    std::vector<Bar> bars;
    for (const auto& mailing : mailings) {
        if (bars.size() == kChartBars) {
            break;
        }
        if (mailing.sends == 0 || mailing.complaints == 0) {
            continue;  // no rate to draw; the table still shows it
        }
        bars.push_back(Bar{mailing_name(mailing.mailing_id, language),
                           "/console/complaints?mailing=" + query_encoded(mailing.mailing_id),
                           rate_of(mailing.complaints, mailing.sends),
                           display_rate(mailing.complaints, mailing.sends, language),
                           std::string(rate_flag(mailing.complaints, mailing.sends, stats))});
    }
    return bars;
}

std::vector<DayPoint> days_of(const std::vector<store::DailyRate>& rates, Language language) {
    std::vector<DayPoint> days;
    for (const auto& day : rates) {
        days.push_back(DayPoint{day.day, rate_of(day.complaints, day.sends),
                                display_rate(day.complaints, day.sends, language),
                                display_count(day.complaints, language),
                                display_count(day.sends, language)});
    }
    return days;
}

}  // namespace

Response mailings_page(ConsoleRequest& request, ConsoleServices& services) {
    auto config = services.config();
    const auto& period = chosen_period(request.query);
    auto now = std::chrono::system_clock::now();
    std::optional<dates::TimePoint> since;
    if (period.days > 0) {
        since = start_of_day(now) - std::chrono::days(period.days - 1);
    }
    auto store = services.store.get();
    auto mailings = store->mailing_stats(since);

    mustache::data data;
    mustache::data periods{mustache::data::type::list};
    for (const auto& entry : kPeriods) {
        mustache::data option;
        option.set("value", entry.value);
        option.set("label", std::string(text(request.language, entry.label_key)));
        option.set("selected", &entry == &period);
        periods.push_back(option);
    }
    data.set("periods", periods);
    data.set("bars_chart", bar_chart(bars_of(mailings, config->stats, request.language),
                                     config->stats.warning_rate, config->stats.critical_rate));
    std::optional<std::string> chosen;
    if (request.query.has("mailing")) {
        chosen = request.query.get("mailing");
        data.set("chosen", mailing_name(*chosen, request.language));
    }
    // The line needs a start; "all time" draws the last 90 days.
    auto line_since = since.value_or(start_of_day(now) - std::chrono::days(89));
    data.set("days_chart",
             day_chart(days_of(store->daily_rates(chosen, line_since), request.language)));
    mustache::data rows{mustache::data::type::list};
    for (std::size_t i = 0; i < mailings.size() && i < kTableRows; ++i) {
        rows.push_back(table_row(mailings[i], config->stats, request.language));
    }
    data.set("rows", rows);
    Page page{"mailings", "mailings", render("mailings.mustache", std::move(data), request)};
    return html_page(request, page);
}

}  // namespace fbl::web::console
