#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "web/http.h"

// The fields of a console form (an application/x-www-form-urlencoded POST
// body) or of a page's query string. Split once, each name and value
// decoded by CivetWeb, so reading many selected ids stays linear.
namespace fbl::web::console {

class FormFields {
  public:
    // At most `max_fields` fields are read; the rest are ignored (the body
    // is already bounded by web.max_body).
    explicit FormFields(std::string_view encoded, std::size_t max_fields = 20000);

    // The first value of `name`; "" when absent.
    std::string get(std::string_view name) const;
    // Every value of `name`, in order (checkboxes).
    std::vector<std::string> all(std::string_view name) const;
    bool has(std::string_view name) const;

  private:
    std::vector<std::pair<std::string, std::string>> fields_;
};

// The value of one cookie of the request; "" when absent or malformed.
std::string cookie_value(const Request& request, std::string_view name);

}  // namespace fbl::web::console
