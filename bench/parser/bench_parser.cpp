// Reports per second through parse_report + recipient resolution.
// `bench_parser --write-inputs=DIR` writes the inputs for sisimai_bench.pl.
#include <cstring>
#include <fstream>
#include <iostream>
#include <string>

#include <benchmark/benchmark.h>

#include "feedback_loop/parser.h"
#include "feedback_loop/recipients.h"
#include "report_inputs.h"

namespace {

void parse_loop(benchmark::State& state, const std::string& message) {
    fbl::feedback_loop::ParseOptions options;
    options.size_limit = 16 * 1024 * 1024;
    fbl::config::FeedbackSettings settings;
    settings.verp_patterns = {"bounces+{local}={domain}@mail.example.com"};
    fbl::feedback_loop::RecipientResolver resolver(settings);
    for (auto _ : state) {
        auto report = fbl::feedback_loop::parse_report(message, options);
        auto resolution = resolver.resolve(report);
        if (resolution.recipients.empty()) {
            state.SkipWithError("recipient not resolved");
            break;
        }
        benchmark::DoNotOptimize(resolution);
    }
    state.SetItemsProcessed(state.iterations());
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(message.size()));
    state.counters["bytes"] = static_cast<double>(message.size());
}

void BM_ParseTypicalReport(benchmark::State& state) {
    static const std::string message = fbl::bench::typical_report();
    parse_loop(state, message);
}
BENCHMARK(BM_ParseTypicalReport);

void BM_ParseLargeReport(benchmark::State& state) {
    static const std::string message = fbl::bench::large_report();
    parse_loop(state, message);
}
BENCHMARK(BM_ParseLargeReport)->Unit(benchmark::kMillisecond);

bool write_inputs(const std::string& dir) {
    for (const auto& [name, text] :
         {std::pair{std::string("typical.eml"), fbl::bench::typical_report()},
          std::pair{std::string("large.eml"), fbl::bench::large_report()}}) {
        std::ofstream out(dir + "/" + name, std::ios::binary);
        out << text;
        if (!out) {
            std::cerr << "cannot write " << dir << "/" << name << '\n';
            return false;
        }
    }
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    constexpr const char* kWriteInputs = "--write-inputs=";
    if (argc == 2 && std::strncmp(argv[1], kWriteInputs, std::strlen(kWriteInputs)) == 0) {
        return write_inputs(argv[1] + std::strlen(kWriteInputs)) ? 0 : 1;
    }
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) {
        return 2;
    }
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
