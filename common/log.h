#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

namespace fbl::log {

enum class Level { debug, info, notice, warning, error };
enum class Destination { stderr_stream, syslog };
enum class PiiMode { plain, hashed };

// Process-wide logging settings; safe to change at any time (reload).
// Syslog is used only when its socket exists: on a host without one
// (journald-only, a container) every line would be lost, so the lines go to
// standard error instead (which systemd's journal keeps), said once.
void configure(Destination destination, Level level, PiiMode pii,
               std::string_view ident = "fblmilter");
// The destination lines really go to after configure().
Destination destination();
// Where configure() looks for the syslog socket; tests point it elsewhere.
void set_syslog_socket(std::string path);

// A syslog record holds one line: a multi-line message (a refused reload's
// list of errors) becomes one record per non-empty line.
std::vector<std::string_view> syslog_records(std::string_view message);
bool enabled(Level level);
void write(Level level, std::string_view line);

// Renders an e-mail address for a log line: as given, or as "h:" plus a
// stable 12-hex-digit SHA-256 prefix when logging.pii is "hashed", so an
// operator can still correlate lines without the log holding the address.
std::string address(std::string_view raw);

template <typename... Args>
void at(Level level, fmt::format_string<Args...> format, Args&&... args) {
    if (enabled(level)) {
        write(level, fmt::format(format, std::forward<Args>(args)...));
    }
}
template <typename... Args>
void debug(fmt::format_string<Args...> format, Args&&... args) {
    at(Level::debug, format, std::forward<Args>(args)...);
}
template <typename... Args>
void info(fmt::format_string<Args...> format, Args&&... args) {
    at(Level::info, format, std::forward<Args>(args)...);
}
template <typename... Args>
void notice(fmt::format_string<Args...> format, Args&&... args) {
    at(Level::notice, format, std::forward<Args>(args)...);
}
template <typename... Args>
void warning(fmt::format_string<Args...> format, Args&&... args) {
    at(Level::warning, format, std::forward<Args>(args)...);
}
template <typename... Args>
void error(fmt::format_string<Args...> format, Args&&... args) {
    at(Level::error, format, std::forward<Args>(args)...);
}

}  // namespace fbl::log
