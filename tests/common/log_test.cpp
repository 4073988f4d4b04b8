#include "common/log.h"

#include <filesystem>

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace fbl::log {
namespace {

class LogTest : public ::testing::Test {
  protected:
    void TearDown() override {
        configure(Destination::stderr_stream, Level::info, PiiMode::plain);
        set_syslog_socket("/dev/log");
    }
};

// A journald-only host or a container has no /dev/log: lines must not be
// lost, and the operator is told once where they go instead.
TEST_F(LogTest, WithoutASyslogSocketLinesGoToStderrSaidOnce) {
    set_syslog_socket("/nonexistent/fbl-test/dev-log");
    ::testing::internal::CaptureStderr();
    configure(Destination::syslog, Level::info, PiiMode::plain);
    configure(Destination::syslog, Level::info, PiiMode::plain);  // a reload
    info("first line after start");
    auto logged = ::testing::internal::GetCapturedStderr();
    EXPECT_EQ(destination(), Destination::stderr_stream);
    EXPECT_NE(logged.find("no syslog socket at /nonexistent/fbl-test/dev-log"), std::string::npos)
        << logged;
    EXPECT_EQ(logged.find("no syslog socket"), logged.rfind("no syslog socket")) << logged;
    EXPECT_NE(logged.find("first line after start"), std::string::npos) << logged;
}

TEST_F(LogTest, WithASyslogSocketSyslogIsUsed) {
    auto path = std::filesystem::temp_directory_path() /
                ("fbl-log-test-" + std::to_string(::getpid()) + ".sock");
    int fd = ::socket(AF_UNIX, SOCK_DGRAM, 0);
    ASSERT_GE(fd, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::snprintf(address.sun_path, sizeof address.sun_path, "%s", path.c_str());
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    set_syslog_socket(path.string());
    configure(Destination::syslog, Level::info, PiiMode::plain);
    EXPECT_EQ(destination(), Destination::syslog);
    ::close(fd);
    std::filesystem::remove(path);
}

TEST(SyslogRecords, OneRecordPerLine) {
    auto records = syslog_records("reload refused:\nfile:3:5: bad\r\nfile:9:1: worse\n");
    ASSERT_EQ(records.size(), 3u);
    EXPECT_EQ(records[0], "reload refused:");
    EXPECT_EQ(records[1], "file:3:5: bad");
    EXPECT_EQ(records[2], "file:9:1: worse");
    EXPECT_EQ(syslog_records("one line").size(), 1u);
}

// Operators grep old logs for a hashed address: its spelling must not change.
TEST_F(LogTest, HashedAddressIsTheFirst12HexDigitsOfItsSha256) {
    configure(Destination::stderr_stream, Level::info, PiiMode::hashed);
    EXPECT_EQ(address("reader@example.net"), "h:8c4da7883f22");
    configure(Destination::stderr_stream, Level::info, PiiMode::plain);
    EXPECT_EQ(address("reader@example.net"), "reader@example.net");
}

}  // namespace
}  // namespace fbl::log
