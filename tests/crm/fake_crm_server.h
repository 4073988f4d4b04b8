#pragma once

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include <curl/curl.h>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

// The Python fake CRM (tests/crm/fake_crm.py) as a child process on
// 127.0.0.1 with a port chosen by the kernel, plus a tiny client for its
// /_control endpoints.
namespace fbl::crm::testing {

class FakeCrmServer {
  public:
    // `script` defaults to the fake CRM of the tests; the benchmark passes its own.
    // `tls_ca` non-empty: `arguments` make the server speak HTTPS and the
    // control client trusts this CA file.
    explicit FakeCrmServer(std::string script = std::string(FBL_SOURCE_DIR) +
                                                "/tests/crm/fake_crm.py",
                           std::vector<std::string> arguments = {}, std::string tls_ca = "")
        : tls_ca_(std::move(tls_ca)) {
        int out[2];
        if (pipe(out) != 0) {
            throw std::runtime_error("pipe failed");
        }
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
        posix_spawn_file_actions_addclose(&actions, out[0]);
        std::vector<char*> argv{const_cast<char*>("python3"), script.data()};
        for (auto& argument : arguments) {
            argv.push_back(argument.data());
        }
        argv.push_back(nullptr);
        if (posix_spawnp(&pid_, "python3", &actions, nullptr, argv.data(), environ) != 0) {
            throw std::runtime_error("cannot start python3");
        }
        posix_spawn_file_actions_destroy(&actions);
        close(out[1]);
        FILE* stream = fdopen(out[0], "r");
        char line[64] = {};
        if (fgets(line, sizeof line, stream) == nullptr || sscanf(line, "PORT %d", &port_) != 1) {
            fclose(stream);
            throw std::runtime_error("the fake CRM did not print its port");
        }
        fclose(stream);
    }

    ~FakeCrmServer() {
        kill(pid_, SIGTERM);
        waitpid(pid_, nullptr, 0);
    }

    int port() const { return port_; }
    std::string base() const {
        return (tls_ca_.empty() ? "http://127.0.0.1:" : "https://127.0.0.1:") +
               std::to_string(port_);
    }

    void setup(const nlohmann::json& settings) { call("POST", "/_control/setup", settings.dump()); }
    void faults(const nlohmann::json& faults) { call("POST", "/_control/faults", faults.dump()); }
    nlohmann::json requests() {
        return nlohmann::json::parse(call("GET", "/_control/requests", ""));
    }
    nlohmann::json effects() { return nlohmann::json::parse(call("GET", "/_control/effects", "")); }
    // Requests per "METHOD path", every one counted (also when not recorded).
    nlohmann::json request_counts() {
        return nlohmann::json::parse(call("GET", "/_control/counts", ""));
    }
    // Requests whose "METHOD path" starts with `prefix`.
    int requests_counted(const std::string& prefix) {
        int total = 0;
        auto counts = request_counts();  // items() would outlive a temporary
        for (const auto& [request, count] : counts.items()) {
            total += request.starts_with(prefix) ? count.get<int>() : 0;
        }
        return total;
    }

  private:
    static size_t collect(char* data, size_t size, size_t count, void* out) {
        static_cast<std::string*>(out)->append(data, size * count);
        return size * count;
    }

    std::string call(const std::string& method, const std::string& path, const std::string& body) {
        CURL* easy = curl_easy_init();
        std::string answer;
        std::string url = base() + path;
        curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
        curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
        curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, method.c_str());
        curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
        if (method == "POST") {
            curl_easy_setopt(easy, CURLOPT_POSTFIELDS, body.c_str());
        }
        curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &collect);
        curl_easy_setopt(easy, CURLOPT_WRITEDATA, &answer);
        curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
        if (!tls_ca_.empty()) {
            curl_easy_setopt(easy, CURLOPT_CAINFO, tls_ca_.c_str());
        }
        auto result = curl_easy_perform(easy);
        curl_slist_free_all(headers);
        curl_easy_cleanup(easy);
        if (result != CURLE_OK) {
            throw std::runtime_error(std::string("fake CRM control: ") +
                                     curl_easy_strerror(result));
        }
        return answer;
    }

    std::string tls_ca_;
    pid_t pid_ = 0;
    int port_ = 0;
};

// A fresh directory under the system temp dir, removed with everything in it.
// A secret file as the loader accepts it: readable by its owner only.
inline void write_secret_file(const std::filesystem::path& path, const std::string& value) {
    std::ofstream(path) << value << "\n";
    std::filesystem::permissions(
        path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

class TempDir {
  public:
    TempDir() {
        std::random_device random;
        path_ = std::filesystem::temp_directory_path() /
                ("fbl-crm-" + std::to_string(getpid()) + "-" + std::to_string(random()));
        std::filesystem::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    const std::filesystem::path& path() const { return path_; }

  private:
    std::filesystem::path path_;
};

}  // namespace fbl::crm::testing
