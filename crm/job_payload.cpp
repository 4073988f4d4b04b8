#include "crm/job_payload.h"

#include <stdexcept>

#include <nlohmann/json.hpp>

namespace fbl::crm {
namespace {

using Json = nlohmann::json;

// One table of (name, member): to_json, from_json and variables agree.
struct Field {
    const char* name;
    std::string JobPayload::*member;
};
const Field kFields[] = {
    {"email", &JobPayload::email},
    {"reason", &JobPayload::reason},
    {"feedback_type", &JobPayload::feedback_type},
    {"reported_at", &JobPayload::reported_at},
    {"mailing_id", &JobPayload::mailing_id},
    {"complaint_id", &JobPayload::complaint_id},
};

std::string text_of(const Json& value) {
    if (value.is_null()) {
        return {};
    }
    return value.is_string() ? value.get<std::string>() : value.dump();
}

}  // namespace

std::string JobPayload::to_json() const {
    Json payload = Json::object();
    for (const Field& field : kFields) {
        payload[field.name] = this->*field.member;
    }
    return payload.dump(-1, ' ', false, Json::error_handler_t::replace);
}

JobPayload JobPayload::from_json(std::string_view json) {
    auto payload = Json::parse(json, nullptr, false);
    if (!payload.is_object()) {
        throw std::invalid_argument("the job's payload is not a JSON object");
    }
    JobPayload result;
    for (const Field& field : kFields) {
        if (auto found = payload.find(field.name); found != payload.end()) {
            result.*field.member = text_of(*found);
        }
    }
    return result;
}

std::map<std::string, std::string> JobPayload::variables() const {
    std::map<std::string, std::string> variables;
    for (const Field& field : kFields) {
        variables[field.name] = this->*field.member;
    }
    return variables;
}

const std::vector<std::string>& JobPayload::field_names() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> list;
        for (const Field& field : kFields) {
            list.emplace_back(field.name);
        }
        return list;
    }();
    return names;
}

}  // namespace fbl::crm
