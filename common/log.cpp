#include "common/log.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>

#include <fmt/chrono.h>
#include <openssl/evp.h>
#include <syslog.h>

namespace fbl::log {
namespace {

std::atomic<Level> current_level{Level::info};
std::atomic<Destination> current_destination{Destination::stderr_stream};
std::atomic<PiiMode> current_pii{PiiMode::plain};
std::mutex stderr_mutex;
std::string syslog_ident = "fblmilter";

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

std::string sha256_prefix_hex(std::string_view data, std::size_t hex_digits) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr);
    std::string hex;
    for (unsigned int i = 0; i < length && hex.size() < hex_digits; ++i) {
        hex += fmt::format("{:02x}", digest[i]);
    }
    hex.resize(hex_digits);
    return hex;
}

}  // namespace

void configure(Destination destination, Level level, PiiMode pii, std::string_view ident) {
    current_level = level;
    current_pii = pii;
    if (destination == Destination::syslog && current_destination != Destination::syslog) {
        syslog_ident = std::string(ident);  // openlog keeps the pointer
        openlog(syslog_ident.c_str(), LOG_PID | LOG_NDELAY, LOG_MAIL);
    }
    current_destination = destination;
}

bool enabled(Level level) {
    return level >= current_level.load(std::memory_order_relaxed);
}

void write(Level level, std::string_view line) {
    if (current_destination == Destination::syslog) {
        syslog(syslog_priority(level), "%.*s", static_cast<int>(line.size()), line.data());
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
    return "h:" + sha256_prefix_hex(raw, 12);
}

}  // namespace fbl::log
