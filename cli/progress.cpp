#include "cli/progress.h"

#include <iostream>

#include <fmt/format.h>
#include <unistd.h>

namespace fbl::cli {
namespace {

std::string duration_text(double seconds) {
    auto whole = static_cast<std::int64_t>(seconds + 0.5);
    if (whole >= 3600) {
        return fmt::format("{}:{:02}:{:02}", whole / 3600, whole / 60 % 60, whole % 60);
    }
    return fmt::format("{}:{:02}", whole / 60, whole % 60);
}

}  // namespace

Progress::Progress(std::ostream& out, bool enabled, std::string label,
                   std::optional<std::int64_t> total, Now now)
    : out_(out),
      enabled_(enabled),
      label_(std::move(label)),
      total_(total),
      now_(std::move(now)),
      started_(now_()),
      drawn_at_(started_) {}

Progress::~Progress() {
    if (open_line_) {
        out_ << '\n' << std::flush;
    }
}

double Progress::rate(Clock::time_point at) const {
    double seconds = std::chrono::duration<double>(at - started_).count();
    return seconds > 0 ? static_cast<double>(done_) / seconds : 0;
}

void Progress::advance(std::int64_t rows) {
    done_ += rows;
    if (!enabled_) {
        return;
    }
    auto at = now_();
    if (at - drawn_at_ < kRedrawInterval) {
        return;
    }
    drawn_at_ = at;
    double per_second = rate(at);
    std::string line = fmt::format("{}: {} rows", label_, done_);
    if (total_) {
        line += fmt::format(" of {}", *total_);
    }
    line += fmt::format(", {:.0f} rows/s", per_second);
    if (total_ && per_second > 0 && *total_ >= done_) {
        line += fmt::format(", {} left",
                            duration_text(static_cast<double>(*total_ - done_) / per_second));
    }
    draw(line);
}

void Progress::finish() {
    if (!enabled_ || finished_) {
        return;
    }
    finished_ = true;
    auto at = now_();
    double seconds = std::chrono::duration<double>(at - started_).count();
    draw(fmt::format("{}: {} rows in {:.1f} s, {:.0f} rows/s", label_, done_, seconds, rate(at)));
    out_ << '\n' << std::flush;
    open_line_ = false;
}

void Progress::draw(const std::string& line) {
    // Blanks what a longer earlier line left to the right.
    std::size_t blank = drawn_width_ > line.size() ? drawn_width_ - line.size() : 0;
    out_ << '\r' << line << std::string(blank, ' ') << std::flush;
    drawn_width_ = line.size();
    open_line_ = true;
}

bool stderr_is_terminal() {
    return ::isatty(STDERR_FILENO) == 1;
}

Progress stderr_progress(std::string label, std::optional<std::int64_t> total) {
    return Progress(std::cerr, stderr_is_terminal(), std::move(label), total);
}

}  // namespace fbl::cli
