#include "cli/password_input.h"

#include <cerrno>
#include <csignal>
#include <iterator>

#include <string.h>  // explicit_bzero
#include <termios.h>
#include <unistd.h>

#include "config/password_hash.h"

namespace fbl::cli {
namespace {

// The terminal's settings while echo is off, for a signal to put back:
// Ctrl-C at the prompt must not leave the shell typing blind.
volatile sig_atomic_t saved_fd = -1;
termios saved_settings;

void restore_and_reraise(int signal) {
    if (saved_fd >= 0) {
        ::tcsetattr(saved_fd, TCSAFLUSH, &saved_settings);
    }
    std::signal(signal, SIG_DFL);
    std::raise(signal);
}

class EchoOff {
  public:
    explicit EchoOff(int fd) : fd_(fd) {
        if (::tcgetattr(fd, &saved_settings) != 0) {
            throw PasswordRefused("cannot read the terminal's settings");
        }
        termios quiet = saved_settings;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        quiet.c_lflag |= ECHONL;
        saved_fd = fd;
        for (std::size_t i = 0; i < std::size(kSignals); ++i) {
            previous_[i] = std::signal(kSignals[i], restore_and_reraise);
        }
        ::tcsetattr(fd, TCSAFLUSH, &quiet);
    }
    ~EchoOff() {
        ::tcsetattr(fd_, TCSAFLUSH, &saved_settings);
        saved_fd = -1;
        for (std::size_t i = 0; i < std::size(kSignals); ++i) {
            std::signal(kSignals[i], previous_[i]);
        }
    }
    EchoOff(const EchoOff&) = delete;
    EchoOff& operator=(const EchoOff&) = delete;

  private:
    static constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
    int fd_;
    void (*previous_[std::size(kSignals)])(int) = {};
};

// One line, read a byte at a time so nothing after it is consumed, and
// never more than one byte past the cap.
std::string read_line(int fd) {
    std::string line;
    char byte = 0;
    while (line.size() <= config::kMaxPasswordBytes) {
        ssize_t got = ::read(fd, &byte, 1);
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got <= 0 || byte == '\n') {
            break;
        }
        line.push_back(byte);
    }
    if (line.size() <= config::kMaxPasswordBytes && line.ends_with('\r')) {
        line.pop_back();
    }
    return line;
}

void check(const std::string& password) {
    if (auto problem = config::password_problem(password); !problem.empty()) {
        throw PasswordRefused(problem);
    }
}

}  // namespace

std::string read_new_password(int fd, std::ostream& prompt) {
    if (!::isatty(fd)) {
        std::string password = read_line(fd);
        check(password);
        return password;
    }
    EchoOff quiet(fd);
    prompt << "New password: " << std::flush;
    std::string password = read_line(fd);
    check(password);
    prompt << "Again: " << std::flush;
    std::string again = read_line(fd);
    bool same = again == password;
    explicit_bzero(again.data(), again.size());
    if (!same) {
        explicit_bzero(password.data(), password.size());
        throw PasswordRefused("the two passwords are not the same");
    }
    return password;
}

}  // namespace fbl::cli
