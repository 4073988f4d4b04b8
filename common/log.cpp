#include "common/log.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>

#include <fmt/chrono.h>
#include <sys/stat.h>
#include <syslog.h>

#include "common/crypto.h"

namespace fbl::log {
namespace {

std::atomic<Level> current_level{Level::info};
std::atomic<Destination> current_destination{Destination::stderr_stream};
std::atomic<PiiMode> current_pii{PiiMode::plain};
std::atomic<bool> syslog_open{false};
std::atomic<bool> told_no_syslog{false};
std::mutex stderr_mutex;
std::mutex configure_mutex;
std::string syslog_ident = "fblmilter";
std::string syslog_socket = "/dev/log";  // glibc's _PATH_LOG

bool syslog_socket_exists() {
    struct stat status {};
    return ::stat(syslog_socket.c_str(), &status) == 0 && S_ISSOCK(status.st_mode);
}

int syslog_priority(Level level) {
    switch (level) {
        case Level::debug:
            return LOG_DEBUG;
        case Level::info:
            return LOG_INFO;
        case Level::notice:
            return LOG_NOTICE;
        case Level::warning:
            return LOG_WARNING;
        case Level::error:
            return LOG_ERR;
    }
    return LOG_INFO;
}

const char* level_name(Level level) {
    switch (level) {
        case Level::debug:
            return "debug";
        case Level::info:
            return "info";
        case Level::notice:
            return "notice";
        case Level::warning:
            return "warning";
        case Level::error:
            return "error";
    }
    return "info";
}

}  // namespace

void configure(Destination destination, Level level, PiiMode pii, std::string_view ident) {
    std::lock_guard lock(configure_mutex);
    current_level = level;
    current_pii = pii;
    if (destination == Destination::syslog && !syslog_socket_exists()) {
        current_destination = Destination::stderr_stream;
        if (!told_no_syslog.exchange(true)) {
            write(Level::warning, fmt::format("logging: no syslog socket at {}; logging to "
                                              "standard error instead",
                                              syslog_socket));
        }
        return;
    }
    if (destination == Destination::syslog && !syslog_open.exchange(true)) {
        syslog_ident = std::string(ident);  // openlog keeps the pointer
        openlog(syslog_ident.c_str(), LOG_PID | LOG_NDELAY, LOG_MAIL);
    }
    current_destination = destination;
}

Destination destination() {
    return current_destination;
}

void set_syslog_socket(std::string path) {
    std::lock_guard lock(configure_mutex);
    syslog_socket = std::move(path);
}

std::vector<std::string_view> syslog_records(std::string_view message) {
    std::vector<std::string_view> records;
    while (!message.empty()) {
        auto end = message.find_first_of("\r\n");
        auto line = message.substr(0, end);
        if (!line.empty()) {
            records.push_back(line);
        }
        message.remove_prefix(end == std::string_view::npos ? message.size() : end + 1);
    }
    return records;
}

bool enabled(Level level) {
    return level >= current_level.load(std::memory_order_relaxed);
}

void write(Level level, std::string_view line) {
    if (current_destination == Destination::syslog) {
        for (auto record : syslog_records(line)) {
            syslog(syslog_priority(level), "%.*s", static_cast<int>(record.size()), record.data());
        }
        return;
    }
    auto now = std::chrono::system_clock::now();
    auto text = fmt::format("{:%Y-%m-%dT%H:%M:%S}Z {}: {}\n",
                            std::chrono::floor<std::chrono::seconds>(now), level_name(level), line);
    std::lock_guard lock(stderr_mutex);
    std::fwrite(text.data(), 1, text.size(), stderr);
}

std::string address(std::string_view raw) {
    if (current_pii == PiiMode::plain) {
        return std::string(raw);
    }
    return "h:" + crypto::sha256_hex(raw).substr(0, 12);
}

}  // namespace fbl::log
