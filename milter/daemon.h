#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/metrics.h"
#include "milter/callbacks.h"
#include "milter/services.h"

namespace fbl::milter {

// The fblmilter process: owns the services, the current runtime (swapped on
// SIGUSR1) and libmilter's main loop.
class Daemon final : public RuntimeSource {
  public:
    Daemon(std::string config_path, config::Config config);
    ~Daemon() override;

    // Runs until SIGTERM/SIGINT/SIGHUP; returns the process exit status.
    int run(bool foreground);

    std::shared_ptr<const Runtime> current() const override;

    // Loads the config file again; a bad one is refused and the old one
    // stays. Returns whether the new config is now in force.
    bool reload();

  private:
    void open_socket();
    void drop_privileges();
    void write_pid_file();
    void start_reload_thread();
    void publish(std::shared_ptr<const config::Config> config);
    void refuse_key_change(const config::Config& fresh) const;
    void adopt_store_keys(const std::string& recorded);
    void start_metrics();
    void stop_metrics();

    std::string config_path_;
    std::shared_ptr<const config::Config> config_;
    std::unique_ptr<Services> services_;
    std::unique_ptr<metrics::Endpoint> metrics_endpoint_;  // null when metrics.listen is ""
    std::atomic<std::shared_ptr<const Runtime>> runtime_;
    std::mutex reload_mutex_;
    std::thread reload_thread_;
};

}  // namespace fbl::milter
