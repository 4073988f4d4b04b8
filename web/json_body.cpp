#include "web/json_body.h"

#include <string>

namespace fbl::web {
namespace {

// Accepts every event and stops the parse at the first container too deep.
class DepthLimit final : public nlohmann::json_sax<nlohmann::json> {
  public:
    bool null() override { return true; }
    bool boolean(bool) override { return true; }
    bool number_integer(number_integer_t) override { return true; }
    bool number_unsigned(number_unsigned_t) override { return true; }
    bool number_float(number_float_t, const string_t&) override { return true; }
    bool string(string_t&) override { return true; }
    bool binary(binary_t&) override { return true; }
    bool start_object(std::size_t) override { return enter(); }
    bool key(string_t&) override { return true; }
    bool end_object() override { return leave(); }
    bool start_array(std::size_t) override { return enter(); }
    bool end_array() override { return leave(); }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
        return false;
    }

  private:
    bool enter() { return ++depth_ <= kMaxJsonDepth; }
    bool leave() {
        --depth_;
        return true;
    }
    int depth_ = 0;
};

}  // namespace

std::optional<nlohmann::json> parse_json_body(std::string_view body) {
    DepthLimit limit;
    if (!nlohmann::json::sax_parse(body, &limit)) {
        return std::nullopt;
    }
    auto json = nlohmann::json::parse(body, nullptr, false);
    if (json.is_discarded()) {
        return std::nullopt;
    }
    return json;
}

}  // namespace fbl::web
