// What fblctl does only on a terminal, through a pseudo-terminal: the
// progress line of long work, and the password prompt of `fblctl user`.
#include <cerrno>
#include <fstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config/users_file.h"
#include "tests/cli/fblctl_fixture.h"

namespace fbl::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

struct TerminalRun {
    int status = -1;
    std::string screen;  // all the child wrote to the terminal
};

// Runs the built fblctl with stdin, stdout and stderr on a pseudo-terminal,
// typing `typed` (each string after the child's next write) and reading
// what it shows until it exits.
TerminalRun run_on_terminal(const std::vector<std::string>& arguments,
                            const std::vector<std::string>& typed = {}) {
    std::string binary = FBL_BINARY_DIR "/cli/fblctl";
    std::vector<std::string> storage{binary};
    storage.insert(storage.end(), arguments.begin(), arguments.end());
    std::vector<char*> argv;
    for (auto& argument : storage) {
        argv.push_back(argument.data());
    }
    argv.push_back(nullptr);
    int master = -1;
    pid_t pid = ::forkpty(&master, nullptr, nullptr, nullptr);
    if (pid == 0) {
        ::execv(binary.c_str(), argv.data());
        ::_exit(127);
    }
    TerminalRun run;
    if (pid < 0) {
        return run;
    }
    std::size_t next = 0;
    char buffer[4096];
    for (;;) {
        ssize_t got = ::read(master, buffer, sizeof buffer);
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got <= 0) {
            break;  // EIO: the child closed the terminal
        }
        run.screen.append(buffer, static_cast<std::size_t>(got));
        if (next < typed.size() && run.screen.ends_with(": ")) {
            ::write(master, typed[next].data(), typed[next].size());
            ++next;
        }
    }
    ::close(master);
    int status = 0;
    if (::waitpid(pid, &status, 0) == pid && WIFEXITED(status)) {
        run.status = WEXITSTATUS(status);
    }
    return run;
}

class FblctlTerminalTest : public fbl::testing::FblctlFixture {
  protected:
    void SetUp() override { write_config(); }

    std::string csv_of(int rows) {
        std::string path = dir.file("list.csv");
        std::ofstream out(path);
        out << "address\n";
        for (int i = 0; i < rows; ++i) {
            out << "user" << i << "@example.com\n";
        }
        return path;
    }
};

TEST_F(FblctlTerminalTest, ImportShowsProgressOnATerminalAndNothingOnAPipe) {
    std::string csv = csv_of(2000);
    auto shown = run_on_terminal({"-c", config, "import", csv});
    ASSERT_EQ(shown.status, 0) << shown.screen;
    EXPECT_THAT(shown.screen, HasSubstr("\rimport: 2000 rows in "));
    EXPECT_THAT(shown.screen, HasSubstr(" rows/s"));
    EXPECT_THAT(shown.screen, HasSubstr("imported 2000 addresses"));

    write_config();
    auto piped = fblctl({"import", csv});
    ASSERT_EQ(piped.status, 0) << piped.err;
    EXPECT_EQ(piped.err, "") << "no progress when stderr is not a terminal";
}

TEST_F(FblctlTerminalTest, ExportToAFileRekeyAndMigrateShowProgressOnATerminal) {
    ASSERT_EQ(fblctl({"import", csv_of(50)}).status, 0);
    auto exported = run_on_terminal(
        {"-c", config, "export", "--format", "csv", "--suppressions", "-o", dir.file("out.csv")});
    ASSERT_EQ(exported.status, 0) << exported.screen;
    EXPECT_THAT(exported.screen, HasSubstr("\rexport: 50 rows in "));
    auto to_stdout = run_on_terminal({"-c", config, "export", "--format", "csv", "--suppressions"});
    EXPECT_THAT(to_stdout.screen, Not(HasSubstr("export: "))) << "only an export to a file";

    write_config("suppression:\n  gmail_dot_folding: true\n");
    auto rekeyed = run_on_terminal({"-c", config, "rekey"});
    ASSERT_EQ(rekeyed.status, 0) << rekeyed.screen;
    EXPECT_THAT(rekeyed.screen, HasSubstr("\rrekey: 50 rows in "));

    auto migrated = run_on_terminal({"-c", config, "migrate", "--from", "sqlite:" + database,
                                     "--to", "sqlite:" + dir.file("copy.db")});
    ASSERT_EQ(migrated.status, 0) << migrated.screen;
    EXPECT_THAT(migrated.screen, HasSubstr("\rmigrate: "));
    auto piped = fblctl(
        {"migrate", "--from", "sqlite:" + database, "--to", "sqlite:" + dir.file("copy2.db")});
    ASSERT_EQ(piped.status, 0) << piped.err;
    EXPECT_EQ(piped.err, "");
}

TEST_F(FblctlTerminalTest, APasswordIsAskedTwiceWithoutEcho) {
    std::string users = dir.file("console-users");
    auto added = run_on_terminal(
        {"-c", config, "user", "add", "alice", "--role", "admin", "--users-file", users},
        {"typed password\n", "typed password\n"});
    ASSERT_EQ(added.status, 0) << added.screen;
    EXPECT_THAT(added.screen, HasSubstr("New password: "));
    EXPECT_THAT(added.screen, HasSubstr("Again: "));
    EXPECT_THAT(added.screen, Not(HasSubstr("typed password"))) << "echo is off";
    EXPECT_EQ(config::load_users(users).verify("alice", "typed password"), config::Role::admin);

    auto mismatch =
        run_on_terminal({"-c", config, "user", "passwd", "alice", "--users-file", users},
                        {"first password\n", "other password\n"});
    EXPECT_EQ(mismatch.status, 65) << mismatch.screen;
    EXPECT_THAT(mismatch.screen, HasSubstr("the two passwords are not the same"));
    EXPECT_EQ(config::load_users(users).verify("alice", "typed password"), config::Role::admin);
}

}  // namespace
}  // namespace fbl::cli
