#include "web/export/row_width.h"

#include <stdexcept>
#include <string>

namespace fbl::web::exporting {

void check_row_width(const std::vector<Cell>& cells, std::size_t columns) {
    if (cells.size() != columns) {
        throw std::invalid_argument("export: a row has " + std::to_string(cells.size()) +
                                    " cells for " + std::to_string(columns) + " columns");
    }
}

}  // namespace fbl::web::exporting
