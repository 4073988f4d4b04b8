#include "milter/message_plan.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace fbl::milter {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// Records every edit in one list, so a test sees their order; refuses the
// edits it is told to.
class OrderedEditor final : public MessageEditor {
  public:
    std::vector<std::string> edits;
    bool refuse_recipients = false;
    bool refuse_additions = false;
    bool delete_recipient(const std::string& recipient) override {
        edits.push_back("delrcpt " + recipient);
        return !refuse_recipients;
    }
    bool add_header(const std::string& name, const std::string& value) override {
        edits.push_back("add " + name + ": " + value);
        return !refuse_additions;
    }
    bool change_header(const std::string& name, int index, const std::string& value) override {
        edits.push_back("change " + name + "[" + std::to_string(index) + "]: " + value);
        return true;
    }
    bool delete_header(const std::string& name, int index) override {
        edits.push_back("delete " + name + "[" + std::to_string(index) + "]");
        return true;
    }
};

class CountingSendLog final : public SendLog {
  public:
    std::vector<store::SendRecord> records;
    void record(std::vector<store::SendRecord> batch) override {
        records.insert(records.end(), batch.begin(), batch.end());
    }
};

MessagePlan plan_with_every_edit() {
    MessagePlan plan;
    plan.queue_id = "4ABC";
    plan.header_additions.push_back({"X-FBL-Result", "complaint stored"});
    plan.recipient_removals.push_back(
        {"<gone@example.com>", "gone@example.com", RecipientRemoval::Why::suppressed});
    plan.header_changes.push_back({"Subject", 1, "[fblmilter] hi"});
    plan.header_removals.push_back({"X-FBL-Result", 2});
    plan.header_removals.push_back({"X-FBL-Result", 1});
    plan.sends.push_back({"m1@example.org", "stays@example.com", "stays@example.com", "dec", {}});
    plan.verdict = Verdict::accept();
    plan.on_edit_failure = Verdict::tempfail(kTempfailInternalReply);
    return plan;
}

// Removals first, so the indices are the message's own; additions last.
TEST(MessagePlanTest, AppliesRemovalsThenChangesThenAdditionsAndRecordsTheSends) {
    OrderedEditor editor;
    CountingSendLog send_log;
    auto verdict = apply(plan_with_every_edit(), editor, &send_log);
    EXPECT_EQ(verdict.action, Verdict::Action::accept);
    EXPECT_THAT(editor.edits,
                ElementsAre("delete X-FBL-Result[2]", "delete X-FBL-Result[1]",
                            "delrcpt <gone@example.com>", "change Subject[1]: [fblmilter] hi",
                            "add X-FBL-Result: complaint stored"));
    ASSERT_EQ(send_log.records.size(), 1u);
    EXPECT_EQ(send_log.records[0].recipient_key, "stays@example.com");
}

// A suppressed recipient the MTA would not remove must not get the mail:
// the message waits, and nothing is recorded as sent.
TEST(MessagePlanTest, ARefusedRemovalAnswersTheFailureVerdictAndRecordsNothing) {
    OrderedEditor editor;
    editor.refuse_recipients = true;
    CountingSendLog send_log;
    auto verdict = apply(plan_with_every_edit(), editor, &send_log);
    EXPECT_EQ(verdict.action, Verdict::Action::tempfail);
    EXPECT_THAT(send_log.records, IsEmpty());
    EXPECT_EQ(editor.edits.back(), "delrcpt <gone@example.com>");
}

// A header is worth less than the message: a refused addition is logged.
TEST(MessagePlanTest, ARefusedHeaderAdditionKeepsThePlannedVerdict) {
    OrderedEditor editor;
    editor.refuse_additions = true;
    CountingSendLog send_log;
    EXPECT_EQ(apply(plan_with_every_edit(), editor, &send_log).action, Verdict::Action::accept);
    EXPECT_EQ(send_log.records.size(), 1u);
}

TEST(MessagePlanTest, NoSendLogRecordsNothing) {
    OrderedEditor editor;
    EXPECT_EQ(apply(plan_with_every_edit(), editor, nullptr).action, Verdict::Action::accept);
}

}  // namespace
}  // namespace fbl::milter
