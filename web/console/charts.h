#pragma once

#include <string>
#include <vector>

#include <kainjow/mustache.hpp>

// The geometry of the console's two charts, as numbers for the SVG in
// mailings.mustache: drawn on the server, readable without JavaScript.
namespace fbl::web::console {

struct Bar {
    std::string name;
    std::string href;
    double rate = 0;        // complaints per send
    std::string rate_text;  // as shown
    std::string flag;       // "", "warning", "critical"
};

// Horizontal bars, highest rate first as given, with dashed lines at the
// warning and critical rates.
kainjow::mustache::data bar_chart(const std::vector<Bar>& bars, double warning_rate,
                                  double critical_rate);

struct DayPoint {
    std::string day;  // YYYY-MM-DD
    double rate = 0;
    std::string rate_text;
    std::string complaints;
    std::string sends;
};

// A line over the days, oldest first as given.
kainjow::mustache::data day_chart(const std::vector<DayPoint>& days);

}  // namespace fbl::web::console
