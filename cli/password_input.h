#pragma once

#include <ostream>
#include <stdexcept>
#include <string>

// How `fblctl user add|passwd` gets a new password without it appearing on
// a command line (ps, shell history) or a screen.
namespace fbl::cli {

// No usable password was given: the message says why, never what.
class PasswordRefused : public std::runtime_error {
    using std::runtime_error::runtime_error;
};

// On a terminal: asked twice on `prompt` with echo off, the two must be the
// same. Otherwise one line of fd (a script's `--password-stdin`): at most
// 1,024 bytes before its newline, "\r\n" or "\n" taken off. Either way it
// must pass config::password_problem. Throws PasswordRefused.
std::string read_new_password(int fd, std::ostream& prompt);

}  // namespace fbl::cli
