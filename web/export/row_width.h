#pragma once

#include <cstddef>
#include <vector>

#include "web/export/table_writer.h"

namespace fbl::web::exporting {

// std::invalid_argument unless the row has one cell per column: a short
// row would shift every later value under the wrong header.
void check_row_width(const std::vector<Cell>& cells, std::size_t columns);

}  // namespace fbl::web::exporting
