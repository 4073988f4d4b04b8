#include "web/console/charts.h"

#include <algorithm>

#include <fmt/format.h>

namespace fbl::web::console {
namespace {

namespace mustache = kainjow::mustache;

constexpr int kBarsWidth = 860;
constexpr int kLabelWidth = 220;
constexpr int kValueWidth = 80;
constexpr int kBarHeight = 18;
constexpr int kBarGap = 6;

constexpr int kDaysWidth = 860;
constexpr int kDaysHeight = 260;
constexpr int kDaysLeft = 60;
constexpr int kDaysRight = 20;
constexpr int kDaysTop = 15;
constexpr int kDaysBottom = 35;

std::string number(double value) {
    return fmt::format("{:.1f}", value);
}

const char* bar_color(const std::string& flag) {
    if (flag == "critical") {
        return "#b00000";
    }
    return flag == "warning" ? "#d08a00" : "#4a7fb0";
}

mustache::data threshold(double x, int bottom, const char* color, const char* label) {
    mustache::data line;
    line.set("x", number(x));
    line.set("bottom", std::to_string(bottom));
    line.set("color", color);
    line.set("label", label);
    return line;
}

}  // namespace

mustache::data bar_chart(const std::vector<Bar>& bars, double warning_rate, double critical_rate) {
    if (bars.empty()) {
        return mustache::data(false);
    }
    double top_rate = critical_rate * 1.2;
    for (const auto& bar : bars) {
        top_rate = std::max(top_rate, bar.rate);
    }
    const double span = kBarsWidth - kLabelWidth - kValueWidth;
    auto x_of = [&](double rate) { return kLabelWidth + 8 + span * rate / top_rate; };
    mustache::data list{mustache::data::type::list};
    int y = kBarGap;
    for (const auto& bar : bars) {
        mustache::data item;
        item.set("name", bar.name);
        item.set("href", bar.href);
        item.set("rate", bar.rate_text);
        item.set("label_x", std::to_string(kLabelWidth));
        item.set("bar_x", std::to_string(kLabelWidth + 8));
        item.set("bar_width", number(std::max(1.0, x_of(bar.rate) - (kLabelWidth + 8))));
        item.set("bar_height", std::to_string(kBarHeight));
        item.set("y", std::to_string(y));
        item.set("text_y", std::to_string(y + kBarHeight - 4));
        item.set("value_x", number(x_of(bar.rate) + 6));
        item.set("color", bar_color(bar.flag));
        list.push_back(item);
        y += kBarHeight + kBarGap;
    }
    mustache::data lines{mustache::data::type::list};
    lines.push_back(threshold(x_of(warning_rate), y, "#d08a00", "warning"));
    lines.push_back(threshold(x_of(critical_rate), y, "#b00000", "critical"));
    mustache::data chart;
    chart.set("bars", list);
    chart.set("lines", lines);
    chart.set("width", std::to_string(kBarsWidth));
    chart.set("height", std::to_string(y));
    return chart;
}

mustache::data day_chart(const std::vector<DayPoint>& days) {
    if (days.empty()) {
        return mustache::data(false);
    }
    double top_rate = 0.001;
    for (const auto& day : days) {
        top_rate = std::max(top_rate, day.rate);
    }
    const double width = kDaysWidth - kDaysLeft - kDaysRight;
    const double height = kDaysHeight - kDaysTop - kDaysBottom;
    const int bottom = kDaysHeight - kDaysBottom;
    auto x_of = [&](std::size_t index) {
        return kDaysLeft + (days.size() == 1 ? width / 2 : width * index / (days.size() - 1));
    };
    auto y_of = [&](double rate) { return bottom - height * rate / top_rate; };
    std::string points;
    mustache::data dots{mustache::data::type::list};
    mustache::data ticks{mustache::data::type::list};
    std::size_t tick_every = std::max<std::size_t>(1, days.size() / 8);
    for (std::size_t i = 0; i < days.size(); ++i) {
        points += (points.empty() ? "" : " ") + number(x_of(i)) + "," + number(y_of(days[i].rate));
        mustache::data dot;
        dot.set("x", number(x_of(i)));
        dot.set("y", number(y_of(days[i].rate)));
        dot.set("day", days[i].day);
        dot.set("rate", days[i].rate_text);
        dot.set("complaints", days[i].complaints);
        dot.set("sends", days[i].sends);
        dots.push_back(dot);
        if (i % tick_every == 0) {
            mustache::data tick;
            tick.set("x", number(x_of(i)));
            tick.set("y", std::to_string(bottom + 18));
            tick.set("day", days[i].day.substr(5));  // MM-DD
            ticks.push_back(tick);
        }
    }
    mustache::data chart;
    chart.set("width", std::to_string(kDaysWidth));
    chart.set("height", std::to_string(kDaysHeight));
    chart.set("left", std::to_string(kDaysLeft));
    chart.set("right", std::to_string(kDaysWidth - kDaysRight));
    chart.set("top", std::to_string(kDaysTop));
    chart.set("top_text", std::to_string(kDaysTop + 4));
    chart.set("bottom", std::to_string(bottom));
    chart.set("label_x", std::to_string(kDaysLeft - 6));
    chart.set("max_label", fmt::format("{:.2f} %", 100 * top_rate));
    chart.set("points", points);
    chart.set("dots", dots);
    chart.set("ticks", ticks);
    return chart;
}

}  // namespace fbl::web::console
