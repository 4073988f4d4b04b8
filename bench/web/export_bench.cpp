// Issue 17: the console's export of 1M complaints, each writer on its own
// into a sink that only counts bytes (what the chunked HTTP response costs
// is not the writer's). Rows are made as the store's cursor would hand them
// over, one at a time into the same cells, so the process's peak RSS shows
// whether the writer holds the export: it must stay flat.
//
// Target (issue 17): CSV >= 100,000 rows/s, memory flat.
#include <cstdint>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include "web/export/table_writer.h"

namespace {

using namespace fbl::web::exporting;

constexpr std::int64_t kRows = 1'000'000;

double peak_rss_mib() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

// The complaints page's columns.
const std::vector<Column> kColumns = {
    {"received", Column::Kind::timestamp}, {"recipient", Column::Kind::text},
    {"mailing", Column::Kind::text},       {"provider", Column::Kind::text},
    {"feedback_type", Column::Kind::text}, {"source", Column::Kind::text},
    {"trusted", Column::Kind::boolean},    {"complaint_id", Column::Kind::integer},
};

void fill_row(std::vector<Cell>& cells, std::int64_t i) {
    static const char* const kProviders[] = {"gmail.com", "outlook.com", "yahoo.com", "web.de"};
    static const char* const kSources[] = {"arf", "webhook", "one-click", "manual"};
    auto base = std::chrono::sys_days{std::chrono::year{2026} / 11 / 1};
    cells[0] = TimePoint{base + std::chrono::seconds{i * 7}};
    cells[1] = "customer" + std::to_string(i) + "@" + kProviders[i % 4];
    cells[2] = "Newsletter week " + std::to_string(i % 100) + ", \"winter\" offers";
    cells[3] = kProviders[i % 4];
    cells[4] = "abuse";
    cells[5] = kSources[i % 4];
    cells[6] = i % 10 != 0;
    cells[7] = i + 1'000'000;
}

void BM_Export(benchmark::State& state, ExportFormat format) {
    double rss_before = peak_rss_mib();
    std::uint64_t bytes = 0;
    for (auto _ : state) {
        auto writer =
            make_writer(format, [&bytes](std::string_view chunk) { bytes += chunk.size(); });
        std::vector<Cell> cells(kColumns.size());
        writer->begin(kColumns);
        for (std::int64_t i = 0; i < kRows; ++i) {
            fill_row(cells, i);
            writer->row(cells);
        }
        writer->end();
    }
    state.counters["rows_per_s"] = benchmark::Counter(
        static_cast<double>(state.iterations() * kRows), benchmark::Counter::kIsRate);
    state.counters["output_MiB"] =
        static_cast<double>(bytes) / state.iterations() / (1024.0 * 1024.0);
    state.counters["peak_rss_MiB"] = peak_rss_mib();
    state.counters["peak_rss_growth_MiB"] = peak_rss_mib() - rss_before;
}

// CSV first, so its peak RSS is not the XLSX run's.
BENCHMARK_CAPTURE(BM_Export, csv, ExportFormat::csv)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_Export, json, ExportFormat::json)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_Export, xlsx, ExportFormat::xlsx)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
