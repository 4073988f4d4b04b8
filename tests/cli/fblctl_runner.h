#pragma once

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace fbl::testing {

struct RunResult {
    int status = -1;
    std::string out;
    std::string err;
};

inline std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream content;
    content << in.rdbuf();
    return content.str();
}

// Starts the built fblctl with `arguments`; stdin comes from `input` (a
// file), stdout and stderr go to files in `work_dir`. Returns the pid;
// collect it with finish().
inline pid_t start_fblctl(const std::string& work_dir, const std::vector<std::string>& arguments,
                          const std::string& tag, const std::string& input = "/dev/null") {
    std::string binary = FBL_BINARY_DIR "/cli/fblctl";
    std::vector<std::string> argv_storage{binary};
    argv_storage.insert(argv_storage.end(), arguments.begin(), arguments.end());
    std::vector<char*> argv;
    for (auto& argument : argv_storage) {
        argv.push_back(argument.data());
    }
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, (work_dir + "/" + tag + ".out").c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, 2, (work_dir + "/" + tag + ".err").c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, 0, input.c_str(), O_RDONLY, 0);
    pid_t pid = -1;
    if (posix_spawn(&pid, binary.c_str(), &actions, nullptr, argv.data(), environ) != 0) {
        pid = -1;
    }
    posix_spawn_file_actions_destroy(&actions);
    return pid;
}

inline RunResult finish_fblctl(const std::string& work_dir, pid_t pid, const std::string& tag) {
    RunResult result;
    int status = 0;
    if (pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status)) {
        result.status = WEXITSTATUS(status);
    }
    result.out = read_text(work_dir + "/" + tag + ".out");
    result.err = read_text(work_dir + "/" + tag + ".err");
    return result;
}

inline RunResult run_fblctl(const std::string& work_dir,
                            const std::vector<std::string>& arguments) {
    return finish_fblctl(work_dir, start_fblctl(work_dir, arguments, "run"), "run");
}

// The same with `input` as the text on its stdin (a pipe-like file, not a terminal).
inline RunResult run_fblctl_with_input(const std::string& work_dir,
                                       const std::vector<std::string>& arguments,
                                       const std::string& input) {
    std::string input_path = work_dir + "/run.in";
    std::ofstream(input_path, std::ios::binary | std::ios::trunc) << input;
    return finish_fblctl(work_dir, start_fblctl(work_dir, arguments, "run", input_path), "run");
}

}  // namespace fbl::testing
