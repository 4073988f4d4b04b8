#include "crm/adapter.h"

#include <algorithm>
#include <fstream>

#include <gtest/gtest.h>

#include "config/loader.h"
#include "crm/job_run.h"
#include "crm/presets.h"
#include "fake_crm_server.h"

namespace fbl::crm {
namespace {

using testing::TempDir;

class AdapterTest : public ::testing::Test {
  protected:
    std::string secret_file(const std::string& name, const std::string& value) {
        auto path = dir_.path() / name;
        testing::write_secret_file(path, value);
        return path.string();
    }

    config::CrmAdapter load(const std::string& adapter_yaml) {
        auto config = config::load_string("crm:\n  adapters:\n" + adapter_yaml, "test.yaml");
        return config.crm.adapters.at(0);
    }

    TempDir dir_;
};

TEST_F(AdapterTest, SuperOfficePresetExpandsSettingsIntoTheUrl) {
    auto adapter =
        build_adapter(load("    - name: so\n"
                           "      preset: superoffice\n"
                           "      settings: {base: 'https://so.example/Cust1'}\n"
                           "      secrets:\n"
                           "        token: {value_file: " +
                           secret_file("t", "tok") +
                           "}\n"
                           "        app_token: {value_file: " +
                           secret_file("a", "app") + "}\n"));
    ASSERT_EQ(adapter.steps.size(), 2u);
    EXPECT_EQ(adapter.steps[0].url,
              "https://so.example/Cust1/api/v1/Person?$select=personId&$filter="
              "email/emailAddress eq '{odata:email}'");
    EXPECT_EQ(adapter.steps[1].url,
              "https://so.example/Cust1/api/v1/Person/{person_id}/Consent/EMARKETING");
    EXPECT_EQ(adapter.steps[1].done, std::vector<int>{404});
}

// A CRM receives addresses and credentials: plain http only when the
// adapter says so.
TEST_F(AdapterTest, PlainHttpNeedsAllowInsecure) {
    auto yaml =
        "    - name: hook\n      preset: webhook\n"
        "      settings: {url: 'HTTP://crm.example/hook'}\n"
        "      secrets:\n        signing_secret: {value_file: " +
        secret_file("s", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw") + "}\n";
    try {
        build_adapter(load(yaml));
        FAIL() << "a plain http URL was accepted";
    } catch (const AdapterError& error) {
        EXPECT_NE(std::string(error.what()).find("is plain http"), std::string::npos)
            << error.what();
        EXPECT_NE(std::string(error.what()).find("allow_insecure: true"), std::string::npos);
    }
    auto adapter = build_adapter(load(yaml + "      allow_insecure: true\n"));
    EXPECT_EQ(adapter.steps.at(0).url, "HTTP://crm.example/hook");
}

TEST_F(AdapterTest, PresetsNeedTheirSettingsAndSecrets) {
    EXPECT_THROW(build_adapter(load("    - name: so\n      preset: superoffice\n")), AdapterError);
    try {
        build_adapter(
            load("    - name: hook\n      preset: webhook\n"
                 "      settings: {url: 'http://127.0.0.1:1/x'}\n"));
        FAIL() << "a webhook without signing secret was accepted";
    } catch (const AdapterError& error) {
        EXPECT_NE(std::string(error.what()).find("secrets.signing_secret"), std::string::npos);
    }
    EXPECT_THROW(build_adapter(load("    - name: x\n      preset: nosuch\n")), AdapterError);
}

TEST_F(AdapterTest, UnknownPlaceholderNamesTheStep) {
    try {
        build_adapter(
            load("    - name: custom\n      steps:\n"
                 "        - name: lookup\n"
                 "          url: 'https://crm.example/p?e={email}'\n"
                 "          extract: {pid: /items/*/id}\n"
                 "        - name: update\n"
                 "          method: PATCH\n"
                 "          url: 'https://crm.example/p/{pid}/{persn}'\n"));
        FAIL() << "an unknown placeholder was accepted";
    } catch (const AdapterError& error) {
        std::string message = error.what();
        EXPECT_NE(message.find("step 'update'"), std::string::npos) << message;
        EXPECT_NE(message.find("{persn}"), std::string::npos) << message;
    }
}

TEST_F(AdapterTest, EveryShippedPresetBuilds) {
    auto secret = secret_file("s", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    for (const auto& name : preset_names()) {
        auto preset = find_preset(name);
        ASSERT_TRUE(preset);
        std::string yaml = "    - name: p\n      preset: " + name + "\n      settings: {";
        yaml += "base: 'https://h', url: 'https://h/x', subscription_id: '1'}\n      secrets:\n";
        for (const auto& secret_name : preset->required_secrets) {
            yaml += "        " + secret_name + ": {value_file: " + secret + "}\n";
        }
        EXPECT_NO_THROW(build_adapter(load(yaml))) << name;
    }
}

// The headers of the request a one-step adapter sends for a text body.
std::vector<std::string> request_headers(const std::string& header_name) {
    Adapter adapter;
    Step step;
    step.name = "post";
    step.method = config::HttpMethod::post;
    step.url = "https://crm.example/hook";
    step.body = "unsubscribe";
    step.body_format = config::BodyFormat::text;
    step.headers = {{header_name, "application/x-custom"}};
    adapter.steps = {step};
    Redactor redactor;
    SecretStore secrets({}, redactor);
    store::OutboxJob job;
    job.idempotency_key = "job-1";
    job.payload_json = "{}";
    JobRun run(adapter, job, secrets, redactor);
    return run.request(Clock::now()).headers;
}

// A step that names its Content-Type, in any ASCII case, gets no second one;
// a name that differs in a byte >= 0x80 (which std::tolower on a plain char
// left undefined) is another header.
TEST(JobRunRequest, ContentTypeIsFoundInAsciiCaseOnly) {
    const std::string added = "Content-Type: text/plain; charset=utf-8";
    auto named = request_headers("content-TYPE");
    EXPECT_EQ(std::count(named.begin(), named.end(), added), 0);
    EXPECT_EQ(std::count(named.begin(), named.end(), "content-TYPE: application/x-custom"), 1);
    auto other = request_headers("Content-Typ\xC5");
    EXPECT_EQ(std::count(other.begin(), other.end(), added), 1);
}

TEST(Extract, FansOutOverArraysAndObjects) {
    auto json =
        R"({"value":[{"personId":1},{"personId":22}],"contacts":{"7":{"id":7},"9":{"id":9}}})";
    EXPECT_EQ(extract_values(json, "/value/*/personId"), (std::vector<std::string>{"1", "22"}));
    EXPECT_EQ(extract_values(json, "/contacts/*/id"), (std::vector<std::string>{"7", "9"}));
    EXPECT_EQ(extract_values(json, "/value/1/personId"), std::vector<std::string>{"22"});
    EXPECT_TRUE(extract_values(json, "/missing/*/x").empty());
    EXPECT_TRUE(extract_values(R"({"value":[]})", "/value/*/personId").empty());
    EXPECT_THROW(extract_values("<html>", "/a"), std::invalid_argument);
}

}  // namespace
}  // namespace fbl::crm
