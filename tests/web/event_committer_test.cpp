#include "web/event_committer.h"

#include <gtest/gtest.h>

#include "tests/web/web_world.h"

namespace fbl::web {
namespace {

std::shared_ptr<const config::Config> config_at(const std::string& directory) {
    auto config = std::make_shared<config::Config>();
    config->store = testing::sqlite_at(directory + "/store.db");
    return config;
}

intake::VouchedEvent complaint(const std::string& recipient, const std::string& id) {
    intake::VouchedEvent event;
    event.channel = store::Channel::mailgun;
    event.kind = store::ComplaintKind::complaint;
    event.recipient = recipient;
    event.proof = "test";
    event.event_id = id;
    return event;
}

class EventCommitterTest : public ::testing::Test {
  protected:
    void SetUp() override {
        std::string pattern =
            (std::filesystem::temp_directory_path() / "fbl-commit-XXXXXX").string();
        ASSERT_NE(mkdtemp(pattern.data()), nullptr);
        directory_ = pattern;
        config_ = config_at(directory_);
    }
    void TearDown() override { std::filesystem::remove_all(directory_); }

    std::string directory_;
    std::shared_ptr<const config::Config> config_;
};

TEST_F(EventCommitterTest, ASubmissionOfSeveralEventsIsCommittedWithOneResultEach) {
    EventCommitter committer([this] { return config_; });
    Submission submission;
    submission.channel = store::Channel::sendgrid;
    submission.events = {complaint("a@example.com", "1"), complaint("b@example.com", "2"),
                         complaint("not an address", "3")};
    auto answer = committer.commit(submission);
    ASSERT_EQ(answer.outcome, CommitOutcome::committed);
    ASSERT_EQ(answer.results.size(), 3u);
    EXPECT_TRUE(answer.results[0].stored);
    EXPECT_TRUE(answer.results[1].stored);
    EXPECT_FALSE(answer.results[2].stored);
    auto again = committer.commit(submission);
    EXPECT_TRUE(again.results[0].duplicate);
    EXPECT_EQ(store::open_store(config_->store)->complaints({}).size(), 2u);
}

TEST_F(EventCommitterTest, TheSameReplayTokenIsRefusedTheSecondTime) {
    EventCommitter committer([this] { return config_; });
    Submission submission;
    submission.channel = store::Channel::mailgun;
    submission.events = {complaint("a@example.com", "1")};
    submission.replay_token = "token-1";
    submission.replay_until = std::chrono::system_clock::now() + std::chrono::hours(1);
    EXPECT_EQ(committer.commit(submission).outcome, CommitOutcome::committed);
    submission.events = {complaint("b@example.com", "2")};  // a new body under an old token
    EXPECT_EQ(committer.commit(submission).outcome, CommitOutcome::replayed);
    EXPECT_EQ(store::open_store(config_->store)->complaints({}).size(), 1u);
}

TEST_F(EventCommitterTest, AStoreThatCannotOpenAnswersUnavailableAndRecovers) {
    auto broken = config_at("/nonexistent-fbl-dir");
    std::shared_ptr<const config::Config> in_force = broken;
    std::mutex mutex;
    EventCommitter committer([&] {
        std::lock_guard lock(mutex);
        return in_force;
    });
    Submission submission;
    submission.events = {complaint("a@example.com", "1")};
    EXPECT_EQ(committer.commit(submission).outcome, CommitOutcome::unavailable);
    {
        std::lock_guard lock(mutex);
        in_force = config_;  // the store is reopened from the config in force
    }
    EXPECT_EQ(committer.commit(submission).outcome, CommitOutcome::committed);
}

}  // namespace
}  // namespace fbl::web
