#pragma once

#include <optional>
#include <string_view>

// The console's templates, stylesheet and script, built into fblweb from
// web/console/assets/ (cmake/embed_assets.cmake).
namespace fbl::web::console {

// The file of that name ("layout.mustache", "console.css"); nullopt when
// there is none.
std::optional<std::string_view> asset(std::string_view name);

}  // namespace fbl::web::console
