#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <string>

// A progress line for long fblctl work (import, export to a file, migrate,
// rekey): rows done, rows per second and, when the total is known, the time
// left, redrawn in place with '\r' at most ten times a second, and a final
// line at the end. Drawn only when told to (fblctl: stderr is a terminal),
// so scripts and logs see nothing of it.
namespace fbl::cli {

class Progress {
  public:
    using Clock = std::chrono::steady_clock;
    using Now = std::function<Clock::time_point()>;

    static constexpr std::chrono::milliseconds kRedrawInterval{100};

    Progress(std::ostream& out, bool enabled, std::string label,
             std::optional<std::int64_t> total = std::nullopt, Now now = Clock::now);
    // A line left drawn (the work threw) is ended, so the error starts on its own.
    ~Progress();
    Progress(const Progress&) = delete;
    Progress& operator=(const Progress&) = delete;

    void set_total(std::int64_t total) { total_ = total; }
    void advance(std::int64_t rows = 1);
    // The final line: rows, time taken, rate.
    void finish();

    std::int64_t done() const { return done_; }

  private:
    void draw(const std::string& line);
    double rate(Clock::time_point at) const;

    std::ostream& out_;
    bool enabled_;
    std::string label_;
    std::optional<std::int64_t> total_;
    Now now_;
    Clock::time_point started_;
    Clock::time_point drawn_at_;
    std::int64_t done_ = 0;
    std::size_t drawn_width_ = 0;  // of the line on screen, to blank its rest
    bool open_line_ = false;       // a line is drawn without its newline
    bool finished_ = false;
};

bool stderr_is_terminal();

// fblctl's progress: on stderr, drawn when stderr is a terminal.
Progress stderr_progress(std::string label, std::optional<std::int64_t> total = std::nullopt);

}  // namespace fbl::cli
