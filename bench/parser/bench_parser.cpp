// Reports per second through parse_report + recipient resolution, and the
// cost per MiB of the hostile shapes (issue 14, item 7) at 1 and 10 MiB.
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

void parse_loop(benchmark::State& state, const std::string& message, bool expect_recipient = true) {
    fbl::feedback_loop::ParseOptions options;
    options.size_limit = 16 * 1024 * 1024;
    fbl::config::FeedbackSettings settings;
    settings.verp_patterns = {"bounces+{local}={domain}@mail.example.com"};
    fbl::feedback_loop::RecipientResolver resolver(settings);
    for (auto _ : state) {
        auto report = fbl::feedback_loop::parse_report(message, options);
        auto resolution = resolver.resolve(report);
        if (expect_recipient && resolution.recipients.empty()) {
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

constexpr std::size_t kMiB = 1024 * 1024;

// state.range(0) is the input size in MiB; `make` builds that shape at a size.
template <typename Make>
void hostile_loop(benchmark::State& state, Make make, bool expect_recipient = true) {
    std::string message = make(static_cast<std::size_t>(state.range(0)) * kMiB);
    parse_loop(state, message, expect_recipient);
}

void BM_HostileExtensionFields(benchmark::State& state) {
    hostile_loop(state, [](std::size_t bytes) {
        return fbl::bench::report_with_extension_fields(fbl::bench::extension_fields_for(bytes));
    });
}
void BM_HostileRecipients(benchmark::State& state) {
    hostile_loop(state, [](std::size_t bytes) {
        return fbl::bench::report_with_recipients(fbl::bench::recipients_for(bytes));
    });
}
void BM_HostileMimeParts(benchmark::State& state) {
    // Refused before GMime reads it (more parts than the parser accepts).
    hostile_loop(
        state,
        [](std::size_t bytes) {
            return fbl::bench::report_with_parts(fbl::bench::parts_for(bytes));
        },
        false);
}
void BM_HostileDeepNesting(benchmark::State& state) {
    // Refused before GMime reads it: no recipient to resolve.
    hostile_loop(
        state,
        [](std::size_t bytes) {
            return fbl::bench::report_nested(fbl::bench::nesting_for(bytes), true);
        },
        false);
}
void BM_HostileLongHeader(benchmark::State& state) {
    hostile_loop(state,
                 [](std::size_t bytes) { return fbl::bench::report_with_long_header(bytes / 2); });
}
BENCHMARK(BM_HostileExtensionFields)->Arg(1)->Arg(10)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_HostileRecipients)->Arg(1)->Arg(10)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_HostileMimeParts)->Arg(1)->Arg(10)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_HostileDeepNesting)->Arg(1)->Arg(10)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_HostileLongHeader)->Arg(1)->Arg(10)->Unit(benchmark::kMillisecond);

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
