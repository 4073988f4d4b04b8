#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "config/diagnostics.h"
#include "config/secret.h"

namespace fbl::config {

// Collects every error of one load, each tied to a place in the file.
class Diagnostics {
  public:
    explicit Diagnostics(std::string file) : file_(std::move(file)) {}
    void add(const YAML::Mark& mark, std::string key_path, std::string message);
    const std::string& file() const { return file_; }
    std::vector<ConfigError>& errors() { return errors_; }

  private:
    std::string file_;
    std::vector<ConfigError> errors_;
};

// Reads one YAML mapping into typed fields. Keys not read by the time the
// reader is destroyed are reported as unknown, so a typo never goes unnoticed.
class MapReader {
  public:
    MapReader(YAML::Node node, std::string path, Diagnostics& diagnostics);
    MapReader(const MapReader&) = delete;
    MapReader& operator=(const MapReader&) = delete;
    ~MapReader();

    void read(std::string_view key, std::string& target);
    void read(std::string_view key, bool& target);
    void read(std::string_view key, int& target, int min, int max);
    void read(std::string_view key, double& target, double min, double max);
    void read(std::string_view key, std::vector<std::string>& target);
    void read(std::string_view key, std::map<std::string, std::string>& target);
    void read(std::string_view key, std::vector<int>& target, int min, int max);
    void read_duration(std::string_view key, std::chrono::seconds& target);
    void read_size(std::string_view key, std::uint64_t& target);
    void read_mode(std::string_view key, unsigned& target);
    // A secret given as <key>_file (path) or <key>_env (variable name).
    void read_secret(std::string_view key, Secret& target);

    template <typename Enum>
    void read_choice(std::string_view key, Enum& target,
                     std::initializer_list<std::pair<std::string_view, Enum>> choices);

    // Present child mapping (or an empty one when the key is absent).
    MapReader child(std::string_view key);
    // Calls visit(item, item_path) for each element of a sequence.
    void each(std::string_view key, const std::function<void(YAML::Node, std::string)>& visit);

    bool has(std::string_view key) const;
    YAML::Node node(std::string_view key);  // marks the key read
    void error(std::string_view key, std::string message);
    void error_at(const YAML::Node& node, std::string_view key, std::string message);
    std::string path_of(std::string_view key) const;
    Diagnostics& diagnostics() { return diagnostics_; }

  private:
    YAML::Node scalar(std::string_view key);
    void choice_error(std::string_view key, const std::vector<std::string_view>& names);

    YAML::Node node_;
    std::string path_;
    Diagnostics& diagnostics_;
    std::set<std::string, std::less<>> seen_;
};

template <typename Enum>
void MapReader::read_choice(std::string_view key, Enum& target,
                            std::initializer_list<std::pair<std::string_view, Enum>> choices) {
    auto value = scalar(key);
    if (!value.IsDefined()) {
        return;
    }
    const auto& text = value.Scalar();
    std::vector<std::string_view> names;
    for (const auto& [name, choice] : choices) {
        if (text == name) {
            target = choice;
            return;
        }
        names.push_back(name);
    }
    choice_error(key, names);
}

}  // namespace fbl::config
