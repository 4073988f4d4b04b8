// PostgresStore's whole-history export and import (fblctl migrate).
#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

#include "store/history.h"
#include "store/postgres/postgres_store.h"

namespace fbl::store {

void PostgresStore::export_history(const HistoryVisitor& visit) {
    std::lock_guard lock(mutex_);
    postgres::Transaction transaction(connection_);
    connection_.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY");
    for (const auto& table : history_tables()) {
        connection_.execute(
            fmt::format("DECLARE fbl_history NO SCROLL CURSOR FOR SELECT {} FROM "
                        "{} ORDER BY {}",
                        column_list(table), table.name, table.order_by));
        HistoryRow row(table.columns.size());
        for (;;) {
            auto rows = connection_.exec("FETCH 10000 FROM fbl_history");
            if (rows.rows() == 0) {
                break;
            }
            for (int index = 0; index < rows.rows(); ++index) {
                for (std::size_t column = 0; column < row.size(); ++column) {
                    int at = static_cast<int>(column);
                    row[column] = rows.is_null(index, at) ? std::nullopt
                                                          : std::optional(rows.text(index, at));
                }
                visit(table, row);
            }
        }
        connection_.execute("CLOSE fbl_history");
    }
    transaction.commit();
}

HistoryCounts PostgresStore::import_history(
    const std::function<void(const HistoryVisitor& visit)>& produce) {
    std::lock_guard lock(mutex_);
    postgres::Transaction transaction(connection_);
    // No node writes a change while the feed is filled; followers read the
    // copied feed (and its numbers) only once it is committed.
    lock_changes();
    const auto& tables = history_tables();
    for (const auto& table : tables) {
        if (connection_.exec(fmt::format("SELECT 1 FROM {} LIMIT 1", table.name)).rows() > 0) {
            throw StoreNotEmpty(fmt::format(
                "the PostgreSQL database already holds {}: nothing was written", table.name));
        }
    }
    HistoryCounts counts;
    for (const auto& table : tables) {
        counts.emplace_back(table.name, 0);
    }
    std::optional<postgres::CopyIn> copy;
    std::size_t current = tables.size();
    produce([&](const HistoryTable& table, const HistoryRow& row) {
        if (current == tables.size() || tables[current].name != table.name) {
            auto known = std::find_if(tables.begin(), tables.end(), [&](const auto& candidate) {
                return candidate.name == table.name;
            });
            if (known == tables.end()) {
                throw std::invalid_argument("import_history: a row of an unknown table");
            }
            if (copy) {
                copy->finish();
                copy.reset();
            }
            current = static_cast<std::size_t>(known - tables.begin());
            copy.emplace(connection_, fmt::format("COPY {} ({}) FROM STDIN", table.name,
                                                  column_list(tables[current])));
        }
        if (row.size() != tables[current].columns.size()) {
            throw std::invalid_argument("import_history: a row of the wrong width");
        }
        copy->row(row);
        ++counts[current].second;
    });
    if (copy) {
        copy->finish();
        copy.reset();
    }
    // New ids and sequence numbers continue after the copied ones.
    for (const auto& [table, column] :
         {std::pair{"complaints", "id"}, std::pair{"outbox", "id"}, std::pair{"send_log", "id"},
          std::pair{"changes", "sequence"}}) {
        connection_.execute(fmt::format(
            "SELECT setval(pg_get_serial_sequence('{0}', '{1}'), coalesce(max({1}), 0) + 1, "
            "false) FROM {0}",
            table, column));
    }
    connection_.execute("NOTIFY fbl_changes");
    transaction.commit();
    return counts;
}

}  // namespace fbl::store
