#pragma once

#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/output.h"
#include "store/store.h"
#include "suppression/normalize.h"

// Shared by the suppression command group: check/add/remove/list
// (suppression_commands.cpp), complaints/export (complaint_commands.cpp)
// and import (import_command.cpp).
namespace fbl::cli {

void add_complaint_commands(CLI::App& app, Context& context, Action& action);
void add_import_command(CLI::App& app, Context& context, Action& action);

inline const std::vector<std::string> kReasonNames{"complaint", "unsubscribe", "manual", "import",
                                                   "bounce"};
inline const std::vector<std::string> kScopeNames{"marketing", "all"};

Records suppression_records(const std::vector<store::Suppression>& entries);
Records complaint_records(const std::vector<store::Complaint>& complaints);

// A time for a record: its ISO 8601 text, or null when there is none.
nlohmann::ordered_json time_or_null(const std::optional<suppression::TimePoint>& time);

// Parses a DATE option; prints a clear message and returns false when bad.
bool parse_date_option(const std::string& command, const std::string& option,
                       const std::string& text, std::optional<suppression::TimePoint>& out,
                       bool until = false);

// Normalises every address; prints each bad one. Returns nullopt when any is bad.
std::optional<std::vector<std::string>> normalize_all(
    const std::string& command, const suppression::AddressNormalizer& normalizer,
    const std::vector<std::string>& addresses);

// Prints "fblctl COMMAND: message" on stderr.
void complain(const std::string& command, const std::string& message);

// Writes records to stdout/FILE; returns the exit status (73 when it cannot).
int emit(const std::string& command, Format format, const Records& records,
         const std::string& path = "", const RowWritten& on_row = {});

}  // namespace fbl::cli
