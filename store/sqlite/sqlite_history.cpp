// SqliteStore's whole-history export and import (fblctl migrate).
#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

#include "store/history.h"
#include "store/sqlite/sqlite_store.h"

namespace fbl::store {

void SqliteStore::export_history(const HistoryVisitor& visit) {
    std::lock_guard lock(reader_mutex_);
    sqlite::ReadTransaction snapshot(reader_);
    for (const auto& table : history_tables()) {
        auto statement = reader_.prepare(fmt::format(
            "SELECT {} FROM {} ORDER BY {}", column_list(table), table.name, table.order_by));
        HistoryRow row(table.columns.size());
        while (statement.step()) {
            for (std::size_t column = 0; column < row.size(); ++column) {
                int index = static_cast<int>(column);
                row[column] =
                    statement.is_null(index) ? std::nullopt : std::optional(statement.text(index));
            }
            visit(table, row);
        }
    }
}

HistoryCounts SqliteStore::import_history(
    const std::function<void(const HistoryVisitor& visit)>& produce) {
    std::lock_guard lock(writer_mutex_);
    sqlite::WriteTransaction transaction(writer_);
    const auto& tables = history_tables();
    for (const auto& table : tables) {
        auto statement = writer_.prepare(fmt::format("SELECT 1 FROM {} LIMIT 1", table.name));
        if (statement.step()) {
            throw StoreNotEmpty(fmt::format("{} already holds {}: nothing was written",
                                            writer_.path(), table.name));
        }
    }
    HistoryCounts counts;
    std::vector<sqlite::Statement> inserts;
    for (const auto& table : tables) {
        counts.emplace_back(table.name, 0);
        std::string placeholders;
        for (std::size_t column = 1; column <= table.columns.size(); ++column) {
            placeholders += fmt::format("{}?{}", column == 1 ? "" : ", ", column);
        }
        inserts.push_back(writer_.prepare(fmt::format("INSERT INTO {} ({}) VALUES ({})", table.name,
                                                      column_list(table), placeholders)));
    }
    produce([&](const HistoryTable& table, const HistoryRow& row) {
        auto known = std::find_if(tables.begin(), tables.end(), [&](const auto& candidate) {
            return candidate.name == table.name;
        });
        auto position = static_cast<std::size_t>(known - tables.begin());
        if (known == tables.end() || row.size() != known->columns.size()) {
            throw std::invalid_argument("import_history: a row of an unknown table shape");
        }
        auto& insert = inserts[position];
        insert.reset();
        for (std::size_t column = 0; column < row.size(); ++column) {
            int index = static_cast<int>(column) + 1;
            if (row[column]) {
                insert.bind(index, *row[column]);
            } else {
                insert.bind_null(index);
            }
        }
        insert.run();
        ++counts[position].second;
    });
    transaction.commit();
    return counts;
}

}  // namespace fbl::store
