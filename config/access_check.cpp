#include "config/access_check.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>

#include <fmt/format.h>
#include <grp.h>
#include <pwd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config/loader.h"

namespace fbl::config {
namespace {

std::vector<std::string> secret_files(const Config& config) {
    std::vector<std::string> files;
    auto add = [&](const Secret& secret) {
        if (auto file = secret.file(); !file.empty()) {
            files.push_back(std::move(file));
        }
    };
    for (const auto& key : config.feedback.reference_header.keys) {
        add(key.key);
    }
    for (const auto& adapter : config.crm.adapters) {
        for (const auto& [name, secret] : adapter.secrets) {
            add(secret);
        }
    }
    add(config.store.postgres.password);
    add(config.webhooks.mailgun.signing_key);
    add(config.webhooks.mailgun.api.api_key);
    return files;
}

std::string can_not(const std::string& what, const std::string& path) {
    return fmt::format("cannot {} {}: {}", what, path, std::strerror(errno));
}

void check_store(const Config& config, std::vector<std::string>& problems) {
    if (config.store.backend != StoreBackend::sqlite) {
        return;
    }
    const auto& path = config.store.sqlite.path;
    auto directory = std::filesystem::path(path).parent_path().string();
    if (::access(directory.c_str(), W_OK | X_OK) != 0) {
        problems.push_back(can_not("create the store in", directory));
    } else if (::access(path.c_str(), F_OK) == 0 && ::access(path.c_str(), R_OK | W_OK) != 0) {
        problems.push_back(can_not("open the store", path));
    }
}

// Runs access_problems() in a child with the ids of `user`; its lines come
// back through a pipe.
std::vector<std::string> problems_as(const Config& config, const passwd& user, gid_t group) {
    int ends[2];
    if (::pipe(ends) != 0) {
        return {can_not("check file access as", user.pw_name)};
    }
    pid_t child = ::fork();
    if (child == 0) {
        ::close(ends[0]);
        std::string out;
        if (::initgroups(user.pw_name, group) != 0 || ::setgid(group) != 0 ||
            ::setuid(user.pw_uid) != 0) {
            out = can_not("take the ids of", user.pw_name) + "\n";
        } else {
            for (const auto& problem : access_problems(config)) {
                out += problem + "\n";
            }
        }
        auto written = ::write(ends[1], out.data(), out.size());
        ::_exit(written == static_cast<ssize_t>(out.size()) ? 0 : 1);
    }
    ::close(ends[1]);
    std::string text;
    char buffer[4096];
    for (ssize_t got; (got = ::read(ends[0], buffer, sizeof buffer)) != 0;) {
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got < 0) {
            break;
        }
        text.append(buffer, static_cast<std::size_t>(got));
    }
    ::close(ends[0]);
    int status = 0;
    if (child < 0 || ::waitpid(child, &status, 0) != child || !WIFEXITED(status) ||
        WEXITSTATUS(status) != 0) {
        return {fmt::format("cannot check file access as {}", user.pw_name)};
    }
    std::vector<std::string> problems;
    for (std::size_t start = 0, end; start < text.size(); start = end + 1) {
        end = text.find('\n', start);
        problems.push_back(text.substr(start, end - start));
    }
    return problems;
}

}  // namespace

std::vector<std::string> access_problems(const Config& config) {
    std::vector<std::string> problems;
    for (const auto& file : secret_files(config)) {
        if (::access(file.c_str(), R_OK) != 0) {
            problems.push_back(can_not("read", file));
        }
    }
    check_store(config, problems);
    return problems;
}

std::vector<std::string> web_access_problems(const WebSettings& web) {
    std::vector<std::string> problems;
    for (const auto& file : {web.tls.cert_file, web.tls.key_file}) {
        if (!file.empty() && ::access(file.c_str(), R_OK) != 0) {
            problems.push_back(can_not("read", file));
        }
    }
    return problems;
}

std::vector<std::string> webhook_access_problems(const WebhookSettings& webhooks) {
    std::vector<std::string> problems;
    const auto& directory = webhooks.ses.certificate_dir;
    if (directory.empty()) {
        return problems;
    }
    std::error_code error;
    if (!std::filesystem::is_directory(directory, error)) {
        problems.push_back(
            fmt::format("webhooks.ses.certificate_dir {} is not a directory", directory));
    } else if (::access(directory.c_str(), R_OK | X_OK) != 0) {
        problems.push_back(can_not("read", directory));
    }
    return problems;
}

AccessReport check_access_as_daemon_user(const Config& config) {
    AccessReport report;
    const auto& name = config.milter.user;
    const passwd* user = name.empty() ? nullptr : ::getpwnam(name.c_str());
    if (!name.empty() && user == nullptr) {
        // A config checked on a build host, for another: not an error here,
        // but nothing about file access can be said.
        report.warnings.push_back(fmt::format(
            "milter.user {} does not exist on this host: file access was not checked", name));
        return report;
    }
    if (user == nullptr || user->pw_uid == ::geteuid()) {
        report.problems = access_problems(config);
        return report;
    }
    if (::geteuid() != 0) {
        report.warnings.push_back(
            fmt::format("file access was not checked for milter.user {}: run --check-config as "
                        "root or as {}",
                        name, name));
        return report;
    }
    gid_t group = user->pw_gid;
    if (!config.milter.group.empty()) {
        const struct group* named = ::getgrnam(config.milter.group.c_str());
        if (named == nullptr) {
            report.problems.push_back("milter.group: no such group " + config.milter.group);
            return report;
        }
        group = named->gr_gid;
    }
    report.problems = problems_as(config, *user, group);
    return report;
}

int report_check(const std::string& path, const std::vector<std::string>& warnings,
                 const std::vector<std::string>& problems) {
    for (const auto& warning : warnings) {
        std::cerr << path << ": warning: " << warning << '\n';
    }
    for (const auto& problem : problems) {
        std::cerr << path << ": " << problem << '\n';
    }
    if (!problems.empty()) {
        return kExitConfig;
    }
    std::cout << path << ": configuration OK\n";
    return 0;
}

}  // namespace fbl::config
