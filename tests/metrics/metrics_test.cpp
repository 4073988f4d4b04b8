#include "common/metrics.h"

#include <atomic>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <curl/curl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace fbl::metrics {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;
using ::testing::HasSubstr;
using ::testing::Not;

bool has_line(const std::string& text, const std::string& line) {
    return text.find("\n" + line + "\n") != std::string::npos || text.rfind(line + "\n", 0) == 0;
}

TEST(Metrics, EveryProductMetricIsExposedWithHelpAndType) {
    Metrics metrics;
    std::string text = metrics.render();
    for (const char* name :
         {names::reports_received, names::reports_trusted, names::reports_untrusted,
          names::reports_unresolved, names::recipients_suppressed, names::recipients_blocked,
          names::index_entries, names::lookup_duration, names::outbox_jobs, names::crm_requests,
          names::send_log_dropped, names::store_errors, names::build_info}) {
        EXPECT_THAT(text, HasSubstr(std::string("# HELP ") + name + " ")) << name;
        EXPECT_THAT(text, HasSubstr(std::string("# TYPE ") + name + " ")) << name;
    }
    EXPECT_TRUE(has_line(text, "# TYPE fblmilter_lookup_duration_seconds histogram")) << text;
    EXPECT_TRUE(has_line(text, "# TYPE fblmilter_recipients_blocked_total counter")) << text;
    EXPECT_TRUE(has_line(text, "# TYPE fblmilter_suppression_index_entries gauge")) << text;
}

TEST(Metrics, LabelFreeAndStageCountersStartAtZero) {
    Metrics metrics;
    std::string text = metrics.render();
    EXPECT_TRUE(has_line(text, "fblmilter_recipients_suppressed_total 0")) << text;
    EXPECT_TRUE(has_line(text, "fblmilter_recipients_blocked_total{stage=\"rcpt\"} 0")) << text;
    EXPECT_TRUE(has_line(text, "fblmilter_recipients_blocked_total{stage=\"eom\"} 0")) << text;
    EXPECT_TRUE(has_line(text, "fblmilter_send_log_dropped_total 0")) << text;
}

TEST(Metrics, ReportsAreCountedByProviderAndOutcome) {
    Metrics metrics;
    metrics.report_received("yahoo.com", true, true);
    metrics.report_received("yahoo.com", false, true);
    metrics.report_received("yahoo.com", false, false);
    metrics.report_received("", true, false);
    std::string text = metrics.render();
    EXPECT_TRUE(has_line(text, "fblmilter_reports_received_total{provider=\"yahoo.com\"} 3"))
        << text;
    EXPECT_TRUE(has_line(text, "fblmilter_reports_trusted_total{provider=\"yahoo.com\"} 1"))
        << text;
    EXPECT_TRUE(has_line(text, "fblmilter_reports_untrusted_total{provider=\"yahoo.com\"} 2"))
        << text;
    EXPECT_TRUE(has_line(text, "fblmilter_reports_unresolved_total{provider=\"yahoo.com\"} 1"))
        << text;
    EXPECT_TRUE(has_line(text, "fblmilter_reports_received_total{provider=\"unknown\"} 1")) << text;
    EXPECT_TRUE(has_line(text, "fblmilter_reports_unresolved_total{provider=\"unknown\"} 1"))
        << text;
}

std::size_t series_of(const std::string& text, const std::string& name) {
    std::size_t count = 0;
    for (std::size_t at = text.find("\n" + name + "{"); at != std::string::npos;
         at = text.find("\n" + name + "{", at + 1)) {
        ++count;
    }
    return count;
}

TEST(Metrics, ProvidersFromInputMakeABoundedNumberOfSeries) {
    Metrics metrics;
    for (int i = 0; i < 10'000; ++i) {
        metrics.report_received("fbl" + std::to_string(i) + ".attacker.example", false, false);
    }
    std::string text = metrics.render();
    EXPECT_LE(series_of(text, names::reports_received), 2u);
    EXPECT_LE(series_of(text, names::reports_untrusted), 2u);
    EXPECT_LE(series_of(text, names::reports_unresolved), 2u);
    EXPECT_TRUE(has_line(text, "fblmilter_reports_received_total{provider=\"other\"} 10000"))
        << text.substr(0, 2000);
}

TEST(Metrics, KnownProvidersKeepTheirName) {
    Metrics metrics;
    metrics.set_known_providers({"FBL.Partner.example"});
    metrics.report_received("fbl.partner.example", true, true);
    metrics.report_received("arf.mail.yahoo.com", true, true);  // a big provider's subdomain
    metrics.report_received("partner.example", true, true);     // not a subdomain of one known
    std::string text = metrics.render();
    EXPECT_TRUE(
        has_line(text, "fblmilter_reports_received_total{provider=\"fbl.partner.example\"} 1"))
        << text;
    EXPECT_TRUE(has_line(text, "fblmilter_reports_received_total{provider=\"yahoo.com\"} 1"))
        << text;
    EXPECT_TRUE(has_line(text, "fblmilter_reports_received_total{provider=\"other\"} 1")) << text;
}

TEST(Metrics, LabelValuesAreEscaped) {
    Metrics metrics;
    metrics.crm_request("odd\"name\\x", "success");
    EXPECT_THAT(metrics.render(), HasSubstr("adapter=\"odd\\\"name\\\\x\""));
}

TEST(Metrics, BlockedSuppressedDroppedAndStoreErrors) {
    Metrics metrics;
    metrics.recipient_blocked(BlockStage::rcpt);
    metrics.recipient_blocked(BlockStage::eom);
    metrics.recipient_blocked(BlockStage::eom);
    metrics.recipient_suppressed(2);
    metrics.send_log_dropped(5);
    metrics.store_error("lookup");
    metrics.crm_request("superoffice", "retry");
    metrics.crm_request("superoffice", "success");
    metrics.crm_request("superoffice", "success");
    std::string text = metrics.render();
    EXPECT_TRUE(has_line(text, "fblmilter_recipients_blocked_total{stage=\"rcpt\"} 1")) << text;
    EXPECT_TRUE(has_line(text, "fblmilter_recipients_blocked_total{stage=\"eom\"} 2")) << text;
    EXPECT_TRUE(has_line(text, "fblmilter_recipients_suppressed_total 2")) << text;
    EXPECT_TRUE(has_line(text, "fblmilter_send_log_dropped_total 5")) << text;
    EXPECT_TRUE(has_line(text, "fblmilter_store_errors_total{operation=\"lookup\"} 1")) << text;
    EXPECT_TRUE(has_line(
        text, "fblmilter_crm_requests_total{adapter=\"superoffice\",result=\"success\"} 2"))
        << text;
    EXPECT_TRUE(
        has_line(text, "fblmilter_crm_requests_total{adapter=\"superoffice\",result=\"retry\"} 1"))
        << text;
}

TEST(Metrics, LookupHistogramBucketsAreCumulativeAndEndAtInf) {
    Metrics metrics;
    metrics.lookup_finished(std::chrono::nanoseconds(500));  // <= 1us
    metrics.lookup_finished(microseconds(1));                // exactly on the 1us bound
    metrics.lookup_finished(microseconds(30));               // <= 50us
    metrics.lookup_finished(milliseconds(50));               // beyond 10ms: only +Inf
    std::string text = metrics.render();
    const std::string name = "fblmilter_lookup_duration_seconds";
    EXPECT_TRUE(has_line(text, name + "_bucket{le=\"1e-06\"} 2")) << text;
    EXPECT_TRUE(has_line(text, name + "_bucket{le=\"2.5e-05\"} 2")) << text;
    EXPECT_TRUE(has_line(text, name + "_bucket{le=\"5e-05\"} 3")) << text;
    EXPECT_TRUE(has_line(text, name + "_bucket{le=\"0.01\"} 3")) << text;
    EXPECT_TRUE(has_line(text, name + "_bucket{le=\"+Inf\"} 4")) << text;
    EXPECT_TRUE(has_line(text, name + "_count 4")) << text;
    EXPECT_THAT(text, HasSubstr(name + "_sum 0.0500315"));
}

TEST(Metrics, ConcurrentIncrementsAreAllCounted) {
    Metrics metrics;
    constexpr int kThreads = 4;
    constexpr int kEach = 10000;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < kEach; ++i) {
                metrics.recipient_blocked(BlockStage::rcpt);
                metrics.lookup_finished(microseconds(3));
            }
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    std::string text = metrics.render();
    EXPECT_TRUE(has_line(text, "fblmilter_recipients_blocked_total{stage=\"rcpt\"} 40000")) << text;
    EXPECT_TRUE(has_line(text, "fblmilter_lookup_duration_seconds_count 40000")) << text;
    EXPECT_TRUE(has_line(text, "fblmilter_lookup_duration_seconds_bucket{le=\"5e-06\"} 40000"));
}

TEST(Metrics, OutboxDepthIsReplacedOnEachSample) {
    Metrics metrics;
    metrics.set_outbox_depth({{"crm", "pending", 7}, {"crm", "dead", 1}, {"hook", "pending", 2}});
    std::string text = metrics.render();
    EXPECT_TRUE(has_line(text, "fblmilter_outbox_jobs{adapter=\"crm\",state=\"pending\"} 7"))
        << text;
    EXPECT_TRUE(has_line(text, "fblmilter_outbox_jobs{adapter=\"crm\",state=\"dead\"} 1")) << text;
    metrics.set_outbox_depth({{"crm", "pending", 3}});
    text = metrics.render();
    EXPECT_TRUE(has_line(text, "fblmilter_outbox_jobs{adapter=\"crm\",state=\"pending\"} 3"))
        << text;
    EXPECT_TRUE(has_line(text, "fblmilter_outbox_jobs{adapter=\"crm\",state=\"dead\"} 0")) << text;
    EXPECT_TRUE(has_line(text, "fblmilter_outbox_jobs{adapter=\"hook\",state=\"pending\"} 0"))
        << text;
}

TEST(Metrics, ScrapeHookSamplesGaugesBeforeEachRender) {
    Metrics metrics;
    int scrapes = 0;
    metrics.on_scrape(
        [&](Metrics& m) { m.set_index_entries(static_cast<std::uint64_t>(++scrapes * 10)); });
    EXPECT_TRUE(has_line(metrics.render(), "fblmilter_suppression_index_entries 10"));
    EXPECT_TRUE(has_line(metrics.render(), "fblmilter_suppression_index_entries 20"));
}

TEST(Metrics, AFailingScrapeHookIsCountedAndDoesNotBreakTheScrape) {
    Metrics metrics;
    metrics.on_scrape([](Metrics&) { throw std::runtime_error("store gone"); });
    std::string text = metrics.render();
    EXPECT_TRUE(has_line(text, "fblmilter_store_errors_total{operation=\"metrics_refresh\"} 1"))
        << text;
}

TEST(MetricsListen, OnlyLoopbackAddressesWithAPortAreAccepted) {
    EXPECT_EQ(listen_problem(""), "");
    EXPECT_EQ(listen_problem("127.0.0.1:9890"), "");
    EXPECT_EQ(listen_problem("127.0.0.2:0"), "");
    EXPECT_EQ(listen_problem("[::1]:9890"), "");
    EXPECT_EQ(listen_problem("localhost:9890"), "");
    EXPECT_THAT(listen_problem("0.0.0.0:9890"), HasSubstr("not a loopback address"));
    EXPECT_THAT(listen_problem("192.0.2.1:9890"), HasSubstr("not a loopback address"));
    EXPECT_THAT(listen_problem("[::]:9890"), HasSubstr("not a loopback address"));
    EXPECT_THAT(listen_problem("example.com:9890"), HasSubstr("not a loopback address"));
    EXPECT_THAT(listen_problem("9890"), HasSubstr("expected ADDRESS:PORT"));
    EXPECT_THAT(listen_problem("127.0.0.1:"), HasSubstr("expected ADDRESS:PORT"));
    EXPECT_THAT(listen_problem("127.0.0.1:70000"), HasSubstr("bad port"));
    EXPECT_THAT(listen_problem("127.0.0.1:http"), HasSubstr("bad port"));
}

TEST(MetricsEndpoint, OffWhenListenIsEmpty) {
    Metrics metrics;
    EXPECT_EQ(start_endpoint(metrics, ""), nullptr);
}

TEST(MetricsEndpoint, RefusesANonLoopbackAddress) {
    Metrics metrics;
    EXPECT_THROW(start_endpoint(metrics, "0.0.0.0:0"), std::invalid_argument);
}

size_t append_body(char* data, size_t size, size_t count, void* target) {
    static_cast<std::string*>(target)->append(data, size * count);
    return size * count;
}

struct HttpAnswer {
    long status = 0;
    std::string body;
    std::string content_type;
};

HttpAnswer http_get(const std::string& url) {
    HttpAnswer answer;
    CURL* curl = curl_easy_init();
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, append_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer.body);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
    CURLcode result = curl_easy_perform(curl);
    if (result == CURLE_OK) {
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &answer.status);
        char* type = nullptr;
        curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &type);
        answer.content_type = type != nullptr ? type : "";
    }
    curl_easy_cleanup(curl);
    return answer;
}

TEST(MetricsEndpoint, ServesTheExpositionOverHttpOnLoopback) {
    Metrics metrics;
    std::atomic<int> scrapes{0};
    metrics.on_scrape([&](Metrics& m) {
        ++scrapes;
        m.set_index_entries(42);
    });
    metrics.recipient_blocked(BlockStage::rcpt);
    auto endpoint = start_endpoint(metrics, "127.0.0.1:0");
    ASSERT_NE(endpoint, nullptr);
    ASSERT_NE(endpoint->port(), 0);

    auto answer = http_get("http://127.0.0.1:" + std::to_string(endpoint->port()) + "/metrics");
    EXPECT_EQ(answer.status, 200);
    EXPECT_THAT(answer.content_type, HasSubstr("text/plain"));
    EXPECT_TRUE(has_line(answer.body, "fblmilter_recipients_blocked_total{stage=\"rcpt\"} 1"))
        << answer.body;
    EXPECT_TRUE(has_line(answer.body, "fblmilter_suppression_index_entries 42")) << answer.body;
    EXPECT_THAT(answer.body, HasSubstr("fblmilter_lookup_duration_seconds_bucket"));
    EXPECT_EQ(scrapes.load(), 1);

    auto elsewhere = http_get("http://127.0.0.1:" + std::to_string(endpoint->port()) + "/other");
    EXPECT_EQ(elsewhere.status, 404);
    EXPECT_THAT(elsewhere.body, Not(HasSubstr("fblmilter_")));
}

TEST(MetricsEndpoint, ABusyPortIsAClearError) {
    Metrics metrics;
    auto first = start_endpoint(metrics, "127.0.0.1:0");
    ASSERT_NE(first, nullptr);
    std::string taken = "127.0.0.1:" + std::to_string(first->port());
    try {
        start_endpoint(metrics, taken);
        FAIL() << "a second endpoint on " << taken << " started";
    } catch (const std::runtime_error& error) {
        EXPECT_THAT(std::string(error.what()), HasSubstr("cannot listen on " + taken));
    }
}

}  // namespace
}  // namespace fbl::metrics
