#include "config/reader.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "common/units.h"

namespace fbl::config {
namespace {

std::string type_name(const YAML::Node& node) {
    switch (node.Type()) {
        case YAML::NodeType::Map:
            return "a mapping";
        case YAML::NodeType::Sequence:
            return "a list";
        case YAML::NodeType::Scalar:
            return "a scalar";
        case YAML::NodeType::Null:
            return "null";
        case YAML::NodeType::Undefined:
            return "nothing";
    }
    return "unknown";
}

// A key that is absent or written without a value ("key:") keeps its default.
bool present(const YAML::Node& node) {
    return node.IsDefined() && !node.IsNull();
}

}  // namespace

void Diagnostics::add(const YAML::Mark& mark, std::string key_path, std::string message) {
    ConfigError error{file_, 0, 0, std::move(key_path), std::move(message)};
    if (!mark.is_null()) {
        error.line = mark.line + 1;
        error.column = mark.column + 1;
    }
    errors_.push_back(std::move(error));
}

MapReader::MapReader(YAML::Node node, std::string path, Diagnostics& diagnostics)
    : node_(std::move(node)), path_(std::move(path)), diagnostics_(diagnostics) {
    if (present(node_) && !node_.IsMap()) {
        diagnostics_.add(node_.Mark(), path_, "expected a mapping, found " + type_name(node_));
        node_ = YAML::Node();
    }
}

MapReader::~MapReader() {
    if (!node_.IsMap()) {
        return;
    }
    for (const auto& entry : node_) {
        auto key = entry.first.Scalar();
        if (!seen_.contains(key)) {
            diagnostics_.add(entry.first.Mark(), path_of(key), "unknown key");
        }
    }
}

std::string MapReader::path_of(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

bool MapReader::has(std::string_view key) const {
    const YAML::Node& map = node_;
    return map.IsMap() && present(map[std::string(key)]);
}

YAML::Node MapReader::node(std::string_view key) {
    seen_.emplace(key);
    const YAML::Node& map = node_;  // const: a lookup must not insert the key
    if (!map.IsMap()) {
        return YAML::Node(YAML::NodeType::Undefined);
    }
    auto value = map[std::string(key)];
    return present(value) ? value : YAML::Node(YAML::NodeType::Undefined);
}

void MapReader::error(std::string_view key, std::string message) {
    auto value = node(key);
    error_at(value.IsDefined() ? value : node_, key, std::move(message));
}

void MapReader::error_at(const YAML::Node& node, std::string_view key, std::string message) {
    diagnostics_.add(node.IsDefined() ? node.Mark() : YAML::Mark::null_mark(), path_of(key),
                     std::move(message));
}

YAML::Node MapReader::scalar(std::string_view key) {
    auto value = node(key);
    if (value.IsDefined() && !value.IsScalar()) {
        error_at(value, key, "expected a single value, found " + type_name(value));
        return YAML::Node(YAML::NodeType::Undefined);
    }
    return value;
}

void MapReader::choice_error(std::string_view key, const std::vector<std::string_view>& names) {
    std::string list;
    for (auto name : names) {
        list += list.empty() ? "" : ", ";
        list += name;
    }
    auto value = node(key);
    error_at(value, key, "'" + value.Scalar() + "' is not one of: " + list);
}

void MapReader::read(std::string_view key, std::string& target) {
    if (auto value = scalar(key); value.IsDefined()) {
        target = value.Scalar();
    }
}

void MapReader::read(std::string_view key, bool& target) {
    auto value = scalar(key);
    if (value.IsDefined() && !YAML::convert<bool>::decode(value, target)) {
        error_at(value, key, "expected true or false, found '" + value.Scalar() + "'");
    }
}

void MapReader::read(std::string_view key, int& target, int min, int max) {
    auto value = scalar(key);
    if (!value.IsDefined()) {
        return;
    }
    long long number = 0;
    if (!YAML::convert<long long>::decode(value, number)) {
        error_at(value, key, "expected a whole number, found '" + value.Scalar() + "'");
    } else if (number < min || number > max) {
        error_at(value, key,
                 "value " + value.Scalar() + " is out of range [" + std::to_string(min) + ", " +
                     std::to_string(max) + "]");
    } else {
        target = static_cast<int>(number);
    }
}

void MapReader::read(std::string_view key, double& target, double min, double max) {
    auto value = scalar(key);
    if (!value.IsDefined()) {
        return;
    }
    double number = 0;
    if (!YAML::convert<double>::decode(value, number)) {
        error_at(value, key, "expected a number, found '" + value.Scalar() + "'");
    } else if (number < min || number > max) {
        std::ostringstream range;
        range << "value " << value.Scalar() << " is out of range [" << min << ", " << max << "]";
        error_at(value, key, range.str());
    } else {
        target = number;
    }
}

void MapReader::read(std::string_view key, std::vector<std::string>& target) {
    auto value = node(key);
    if (!value.IsDefined()) {
        return;
    }
    if (!value.IsSequence()) {
        error_at(value, key, "expected a list, found " + type_name(value));
        return;
    }
    target.clear();
    for (std::size_t i = 0; i < value.size(); ++i) {
        auto item = value[i];
        auto item_key = std::string(key) + "[" + std::to_string(i) + "]";
        if (!item.IsScalar()) {
            error_at(item, item_key, "expected a single value, found " + type_name(item));
            continue;
        }
        target.push_back(item.Scalar());
    }
}

void MapReader::read(std::string_view key, std::vector<int>& target, int min, int max) {
    std::vector<std::string> texts;
    read(key, texts);
    if (texts.empty()) {
        return;
    }
    target.clear();
    auto list = node(key);
    for (std::size_t i = 0; i < texts.size(); ++i) {
        char* end = nullptr;
        errno = 0;
        long number = std::strtol(texts[i].c_str(), &end, 10);
        if (errno != 0 || *end != '\0' || texts[i].empty() || number < min || number > max) {
            error_at(list[i], std::string(key) + "[" + std::to_string(i) + "]",
                     "expected a whole number from " + std::to_string(min) + " to " +
                         std::to_string(max) + ", found '" + texts[i] + "'");
            continue;
        }
        target.push_back(static_cast<int>(number));
    }
}

void MapReader::read(std::string_view key, std::map<std::string, std::string>& target) {
    auto value = node(key);
    if (!value.IsDefined()) {
        return;
    }
    if (!value.IsMap()) {
        error_at(value, key, "expected a mapping, found " + type_name(value));
        return;
    }
    for (const auto& entry : value) {
        if (!entry.second.IsScalar()) {
            error_at(entry.second, std::string(key) + "." + entry.first.Scalar(),
                     "expected a single value, found " + type_name(entry.second));
            continue;
        }
        target[entry.first.Scalar()] = entry.second.Scalar();
    }
}

void MapReader::read_duration(std::string_view key, std::chrono::seconds& target) {
    auto value = scalar(key);
    if (!value.IsDefined()) {
        return;
    }
    if (auto duration = parse_duration(value.Scalar())) {
        target = *duration;
    } else {
        error_at(value, key,
                 "'" + value.Scalar() + "' is not a duration (e.g. 30s, 15m, 72h, 30d)");
    }
}

void MapReader::read_size(std::string_view key, std::uint64_t& target) {
    auto value = scalar(key);
    if (!value.IsDefined()) {
        return;
    }
    if (auto size = parse_size(value.Scalar())) {
        target = *size;
    } else {
        error_at(value, key, "'" + value.Scalar() + "' is not a size (e.g. 65536, 64KiB, 10MiB)");
    }
}

void MapReader::read_mode(std::string_view key, unsigned& target) {
    auto value = scalar(key);
    if (!value.IsDefined()) {
        return;
    }
    const auto& text = value.Scalar();
    char* end = nullptr;
    unsigned long mode = std::strtoul(text.c_str(), &end, 8);
    if (text.empty() || *end != '\0' || mode > 0777) {
        error_at(value, key, "'" + text + "' is not an octal file mode (e.g. \"0660\")");
        return;
    }
    target = static_cast<unsigned>(mode);
}

void MapReader::read_secret(std::string_view key, Secret& target) {
    auto file_key = std::string(key) + "_file";
    auto env_key = std::string(key) + "_env";
    std::string file;
    std::string env;
    read(file_key, file);
    read(env_key, env);
    if (!file.empty() && !env.empty()) {
        error(env_key, "give " + file_key + " or " + env_key + ", not both");
        return;
    }
    if (!file.empty()) {
        auto read = read_secret_file(file);
        if (!read.problem.empty()) {
            error(file_key, read.problem);
            return;
        }
        target = Secret(std::move(read.value), "file " + file);
    } else if (!env.empty()) {
        const char* value = std::getenv(env.c_str());
        if (value == nullptr || *value == '\0') {
            error(env_key, "environment variable " + env + " is not set");
            return;
        }
        target = Secret(value, "env " + env);
    }
}

MapReader MapReader::child(std::string_view key) {
    return MapReader(node(key), path_of(key), diagnostics_);
}

void MapReader::each(std::string_view key,
                     const std::function<void(YAML::Node, std::string)>& visit) {
    auto value = node(key);
    if (!value.IsDefined()) {
        return;
    }
    if (!value.IsSequence()) {
        error_at(value, key, "expected a list, found " + type_name(value));
        return;
    }
    for (std::size_t i = 0; i < value.size(); ++i) {
        visit(value[i], path_of(key) + "[" + std::to_string(i) + "]");
    }
}

}  // namespace fbl::config
