#pragma once

#include <string>

#include "store/store.h"

// What both backends' export_history/import_history share.
namespace fbl::store {

// "a, b, c": the table's columns for a SELECT or an INSERT.
std::string column_list(const HistoryTable& table);

}  // namespace fbl::store
