// libFuzzer target: any byte string through the whole report path (parse,
// resolve, JSON) must neither crash nor leak nor hit undefined behaviour.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "feedback_loop/parser.h"
#include "feedback_loop/recipients.h"
#include "feedback_loop/report_json.h"

namespace {

const fbl::feedback_loop::RecipientResolver& resolver() {
    static const fbl::feedback_loop::RecipientResolver instance([] {
        fbl::config::FeedbackSettings settings;
        settings.verp_patterns = {"bounces+{local}={domain}@mail.example.com"};
        return settings;
    }());
    return instance;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fbl::feedback_loop::ParseOptions options;
    options.size_limit = 1024 * 1024;
    std::string_view input(reinterpret_cast<const char*>(data), size);
    auto report = fbl::feedback_loop::parse_report(input, options);
    auto resolution = resolver().resolve(report);
    auto json = fbl::feedback_loop::to_json(report, resolution);
    (void)json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return 0;
}
