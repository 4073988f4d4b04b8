// ConsoleReader (issue 17) against both backends.
#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include <gtest/gtest.h>

#include "common/text.h"
#include "store/time_codec.h"
#include "tests/store/backend_fixture.h"

namespace fbl::store {
namespace {

using namespace std::chrono_literals;
using fbl::testing::complaint_for;
using fbl::testing::entry_for;
using fbl::testing::job_for;
using std::chrono::sys_days;

using ConsoleReaderTest = fbl::testing::BackendTest;
using Ids = std::vector<std::int64_t>;

const TimePoint kBase = sys_days{std::chrono::year{2026} / 11 / 27} + 10h;

struct Seeded {
    std::int64_t id;
    std::string sort_value[6];  // by ComplaintColumn
};

// 23 complaints whose sort values repeat, so ties are broken by id.
std::vector<Seeded> seed(Store& store) {
    const char* providers[] = {"pa.example", "pb.example", "pc.example"};
    const char* types[] = {"abuse", "fraud"};
    const Channel channels[] = {Channel::report, Channel::one_click, Channel::mailgun};
    std::vector<Seeded> seeded;
    for (int i = 0; i < 23; ++i) {
        std::string key = std::string(1, static_cast<char>('a' + i % 7)) + "@x.example";
        auto complaint = complaint_for("r" + std::to_string(i), {key});
        complaint.received_at = kBase + std::chrono::minutes(i % 5);
        complaint.mailing_id = "m" + std::to_string(i % 4);
        complaint.provider = providers[i % 3];
        complaint.feedback_type = types[i % 2];
        complaint.channel = channels[i % 3];
        auto id =
            store.record_complaint(complaint, Scope::marketing, std::nullopt, {}).complaint_id;
        seeded.push_back(
            {id,
             {std::to_string(to_micros(complaint.received_at)), key, complaint.mailing_id,
              complaint.provider, complaint.feedback_type, to_string(complaint.channel)}});
    }
    return seeded;
}

Ids walk(Store& store, const ComplaintQuery& query, const ComplaintSort& sort, int limit) {
    Ids ids;
    std::optional<ComplaintCursor> after;
    for (int pages = 0; pages < 100; ++pages) {
        auto page = store.complaint_page(query, sort, after, limit);
        for (const auto& row : page.rows) {
            ids.push_back(row.id);
        }
        if (!page.next) {
            return ids;
        }
        after = page.next;
    }
    ADD_FAILURE() << "pagination did not end";
    return ids;
}

Ids page_ids(Store& store, const ComplaintQuery& query) {
    return walk(store, query, {ComplaintColumn::received_at, false}, 500);
}

std::vector<std::int64_t> sorted(Ids ids) {
    std::sort(ids.begin(), ids.end());
    return ids;
}

TEST_P(ConsoleReaderTest, PagesVisitEveryRowOnceInEachOrderWithTiesById) {
    auto seeded = seed(*store);
    for (int column = 0; column < 6; ++column) {
        for (bool descending : {false, true}) {
            auto expected = seeded;
            std::sort(expected.begin(), expected.end(), [&](const auto& a, const auto& b) {
                auto left = std::tie(a.sort_value[column], a.id);
                auto right = std::tie(b.sort_value[column], b.id);
                if (column == 0) {  // numbers: compare as numbers
                    auto l = std::make_tuple(std::stoll(a.sort_value[0]), a.id);
                    auto r = std::make_tuple(std::stoll(b.sort_value[0]), b.id);
                    return descending ? r < l : l < r;
                }
                return descending ? right < left : left < right;
            });
            Ids want;
            for (const auto& row : expected) {
                want.push_back(row.id);
            }
            ComplaintSort sort{static_cast<ComplaintColumn>(column), descending};
            EXPECT_EQ(walk(*store, {}, sort, 5), want) << column << (descending ? " desc" : "");
            EXPECT_EQ(walk(*store, {}, sort, 23), want);
        }
    }
}

TEST_P(ConsoleReaderTest, APageCarriesTheRowAndALastPageNoCursor) {
    auto complaint = complaint_for("one", {"ann@x.example", "bob@x.example"});
    complaint.recipients[0].address = "Ann@X.example";
    complaint.original_subject = "<script>Sale</script>";
    complaint.received_at = kBase;
    store->record_complaint(complaint, Scope::marketing, std::nullopt, {});
    auto page = store->complaint_page({}, {}, std::nullopt, 1);
    ASSERT_EQ(page.rows.size(), 1u);
    EXPECT_FALSE(page.next);
    const auto& row = page.rows[0];
    EXPECT_EQ(row.received_at, kBase);
    EXPECT_EQ(row.recipients, (std::vector<std::string>{"Ann@X.example", "bob@x.example"}));
    EXPECT_EQ(row.subject, "<script>Sale</script>");
    EXPECT_EQ(row.mailing_id, "m-1");
    EXPECT_EQ(row.provider, "provider.example");
    EXPECT_EQ(row.feedback_type, "abuse");
    EXPECT_EQ(row.kind, ComplaintKind::complaint);
    EXPECT_TRUE(row.trusted);
    EXPECT_EQ(row.trust_reason, "test");
    EXPECT_EQ(row.crm, CrmState::none);
    EXPECT_THROW(store->complaint_page({}, {}, std::nullopt, 0), std::invalid_argument);
    EXPECT_THROW(store->complaint_page({}, {}, std::nullopt, kMaxPageRows + 1),
                 std::invalid_argument);
    EXPECT_THROW(store->complaint_page({}, {}, ComplaintCursor{"12x", 1}, 10),
                 std::invalid_argument);
}

TEST_P(ConsoleReaderTest, EveryFilterHolds) {
    auto record = [&](const std::string& key, auto change) {
        auto complaint = complaint_for(key, {key + "@x.example"});
        complaint.received_at = kBase;
        change(complaint);
        return store->record_complaint(complaint, Scope::marketing, std::nullopt, {}).complaint_id;
    };
    auto early = record("early", [](Complaint& c) { c.received_at = kBase - 48h; });
    auto other_mailing = record("mail", [](Complaint& c) { c.mailing_id = "m-2"; });
    auto other_provider = record("prov", [](Complaint& c) { c.provider = "aol.com"; });
    auto webhook = record("hook", [](Complaint& c) { c.channel = Channel::sendgrid; });
    auto forged = record("forged", [](Complaint& c) {
        c.trusted = false;
        c.trust_reason = "untrusted: no proof";
    });
    auto plain = record("plain", [](Complaint&) {});
    Ids all{early, other_mailing, other_provider, webhook, forged, plain};

    ComplaintQuery query;
    EXPECT_EQ(sorted(page_ids(*store, query)), sorted(all));
    query.since = kBase - 1h;
    EXPECT_EQ(sorted(page_ids(*store, query)),
              sorted({other_mailing, other_provider, webhook, forged, plain}));
    query = {};
    query.until = kBase - 1h;
    EXPECT_EQ(page_ids(*store, query), Ids{early});
    query = {};
    query.mailing_id = "m-2";
    EXPECT_EQ(page_ids(*store, query), Ids{other_mailing});
    query = {};
    query.provider = "aol.com";
    EXPECT_EQ(page_ids(*store, query), Ids{other_provider});
    query = {};
    query.channel = Channel::sendgrid;
    EXPECT_EQ(page_ids(*store, query), Ids{webhook});
    query = {};
    query.trusted = false;
    EXPECT_EQ(page_ids(*store, query), Ids{forged});
    query.trusted = true;
    EXPECT_EQ(page_ids(*store, query).size(), 5u);
    query = {};
    query.ids = {plain, early, 999999};
    EXPECT_EQ(sorted(page_ids(*store, query)), sorted({plain, early}));
    query.mailing_id = "m-2";  // with another filter: both must hold
    EXPECT_TRUE(page_ids(*store, query).empty());
}

TEST_P(ConsoleReaderTest, SearchMatchesAddressOrDomainAndTreatsWildcardsAsText) {
    auto record = [&](const std::string& dedup, const std::string& address) {
        auto complaint = complaint_for(dedup, {text::ascii_lower(address)});
        complaint.recipients[0].address = address;
        return store->record_complaint(complaint, Scope::marketing, std::nullopt, {}).complaint_id;
    };
    auto ann = record("1", "Ann.Smith@Example.com");
    auto percent = record("2", "100%off@deals.example");
    auto underscore = record("3", "a_b@deals.example");
    auto lookalike = record("4", "axb@example.com.evil");
    auto search = [&](const std::string& term) {
        ComplaintQuery query;
        query.search = term;
        return sorted(page_ids(*store, query));
    };
    EXPECT_EQ(search("ann.SMITH"), Ids{ann});
    EXPECT_EQ(search("@example.com"), Ids{ann});                 // the domain exactly
    EXPECT_EQ(search("example.com"), sorted({ann, lookalike}));  // a substring
    EXPECT_EQ(search("%"), Ids{percent});
    EXPECT_EQ(search("a_b"), Ids{underscore});
    EXPECT_EQ(search("_"), Ids{underscore});
    EXPECT_TRUE(search("nobody").empty());
    EXPECT_TRUE(search("\\").empty());
    EXPECT_THROW(search(std::string(kMaxSearchLength + 1, 'a')), std::invalid_argument);
}

TEST_P(ConsoleReaderTest, ASelectionHoldsAtMostTheCapOfIds) {
    ComplaintQuery query;
    query.ids.assign(kMaxQueryIds, 1);
    EXPECT_NO_THROW(store->count_complaints(query, 10));
    query.ids.push_back(2);
    EXPECT_THROW(store->count_complaints(query, 10), std::invalid_argument);
    EXPECT_THROW(store->complaint_page(query, {}, std::nullopt, 10), std::invalid_argument);
    EXPECT_THROW(store->each_complaint(query, {}, [](const ComplaintRow&) {}),
                 std::invalid_argument);
}

TEST_P(ConsoleReaderTest, CountStopsAtTheCap) {
    seed(*store);
    EXPECT_EQ(store->count_complaints({}, 1000), 23);
    EXPECT_EQ(store->count_complaints({}, 10), 10);
    ComplaintQuery query;
    query.mailing_id = "m0";
    EXPECT_EQ(store->count_complaints(query, 1000), 6);
    query.mailing_id = "none";
    EXPECT_EQ(store->count_complaints(query, 1000), 0);
}

TEST_P(ConsoleReaderTest, EachComplaintStreamsInSortOrderAndStopsWhenTheVisitorThrows) {
    auto seeded = seed(*store);
    ComplaintSort sort{ComplaintColumn::provider, true};
    Ids streamed;
    store->each_complaint({}, sort, [&](const ComplaintRow& row) { streamed.push_back(row.id); });
    EXPECT_EQ(streamed, walk(*store, {}, sort, 7));
    EXPECT_EQ(streamed.size(), seeded.size());

    int visited = 0;
    EXPECT_THROW(store->each_complaint({}, sort,
                                       [&](const ComplaintRow&) {
                                           if (++visited == 3) {
                                               throw std::runtime_error("client went away");
                                           }
                                       }),
                 std::runtime_error);
    EXPECT_EQ(visited, 3);
    // The store still serves after an export stopped midway.
    EXPECT_EQ(store->count_complaints({}, 100), 23);
}

// The CRM state of one complaint is its jobs' states folded together.
TEST_P(ConsoleReaderTest, CrmStateFoldsTheComplaintsJobs) {
    std::map<std::string, std::int64_t> ids;
    auto record = [&](const std::string& name, int jobs) {
        std::vector<OutboxJob> outbox;
        for (int i = 0; i < jobs; ++i) {
            outbox.push_back(job_for("crm" + std::to_string(i), name + std::to_string(i)));
        }
        ids[name] = store
                        ->record_complaint(complaint_for(name, {name + "@x.example"}),
                                           Scope::marketing, std::nullopt, outbox)
                        .complaint_id;
    };
    for (const char* name : {"queued", "leased", "done", "dead", "notfound", "mixed"}) {
        record(name, 2);
    }
    record("nojob", 0);
    auto job_ids = [&](const std::string& name) {
        Ids found;
        for (const auto& job : store->outbox(std::nullopt)) {
            if (job.idempotency_key.starts_with(name)) {
                found.push_back(job.id);
            }
        }
        return found;
    };
    auto leased = store->lease_jobs("crm0", 100, 3600s);
    ASSERT_EQ(leased.size(), 6u);
    for (const char* name : {"done", "dead", "notfound", "mixed"}) {
        for (auto id : job_ids(name)) {
            store->complete_job(id, "204");
        }
    }
    store->complete_job(job_ids("leased")[0], "204");
    store->retry_job(job_ids("leased")[1], std::chrono::system_clock::now(), "503");
    store->dead_letter_job(job_ids("dead")[1], "400", "{}");
    store->complete_jobs({{job_ids("notfound")[0], "404", CrmLookup::not_found}});
    store->complete_jobs({{job_ids("mixed")[0], "404", CrmLookup::not_found},
                          {job_ids("mixed")[1], "204", CrmLookup::found}});

    std::map<std::int64_t, CrmState> states;
    store->each_complaint({}, {}, [&](const ComplaintRow& row) { states[row.id] = row.crm; });
    EXPECT_EQ(states[ids["queued"]], CrmState::queued);
    EXPECT_EQ(states[ids["leased"]], CrmState::queued);  // one done, one pending again
    EXPECT_EQ(states[ids["done"]], CrmState::done);
    EXPECT_EQ(states[ids["dead"]], CrmState::dead);
    EXPECT_EQ(states[ids["notfound"]], CrmState::not_found);
    EXPECT_EQ(states[ids["mixed"]], CrmState::not_found);
    EXPECT_EQ(states[ids["nojob"]], CrmState::none);
    EXPECT_STREQ(to_string(CrmState::not_found), "not-found");
}

TEST_P(ConsoleReaderTest, MailingStatsAndDailyRatesOnAKnownSet) {
    TimePoint day1 = sys_days{std::chrono::year{2026} / 11 / 27} + 12h;
    TimePoint day2 = day1 + 24h;
    std::vector<SendRecord> sends;
    for (int i = 0; i < 10; ++i) {
        sends.push_back({"a" + std::to_string(i), "k", "k", "spring", i < 4 ? day1 : day2});
    }
    for (int i = 0; i < 4; ++i) {
        sends.push_back({"b" + std::to_string(i), "k", "k", "autumn", day1});
    }
    sends.push_back({"c", "k", "k", "", day2});
    store->record_sends(sends);
    int serial = 0;
    auto report = [&](const std::string& mailing, const std::string& provider, TimePoint at,
                      auto change) {
        auto complaint = complaint_for("r" + std::to_string(++serial), {"x@y.example"});
        complaint.mailing_id = mailing;
        complaint.provider = provider;
        complaint.received_at = at;
        change(complaint);
        return store
            ->record_complaint(complaint, Scope::marketing, std::nullopt,
                               {job_for("crm", "j" + std::to_string(serial))})
            .complaint_id;
    };
    auto same = [](Complaint&) {};
    report("spring", "aol.com", day1, same);
    report("spring", "aol.com", day2, same);
    report("spring", "gmail.com", day2, same);
    report("spring", "yahoo.com", day2, same);
    report("spring", "web.de", day2, same);
    report("spring", "aol.com", day2, [](Complaint& c) { c.kind = ComplaintKind::unsubscribe; });
    report("spring", "aol.com", day2, [](Complaint& c) {
        c.trusted = false;
        c.trust_reason = "untrusted";
    });
    report("autumn", "gmail.com", day1, same);
    report("autumn", "gmail.com", day1, [](Complaint& c) {
        c.kind = ComplaintKind::unsubscribe;
        c.channel = Channel::one_click;
    });
    report("orphan", "gmail.com", day2, same);  // a mailing with no logged sends
    // The first spring complaint's CRM job found nobody.
    auto leased = store->lease_jobs("crm", 1, 3600s);
    ASSERT_EQ(leased.size(), 1u);
    store->complete_job(leased[0].id, "404", CrmLookup::not_found);

    auto stats = store->mailing_stats(std::nullopt);
    ASSERT_EQ(stats.size(), 4u);
    EXPECT_EQ(stats[0].mailing_id, "orphan");  // complaints without sends first
    EXPECT_EQ(stats[1].mailing_id, "spring");  // 5/10 ahead of 1/4
    EXPECT_EQ(stats[2].mailing_id, "autumn");
    EXPECT_EQ(stats[3].mailing_id, "");
    const auto& spring = stats[1];
    EXPECT_EQ(spring.sends, 10);
    EXPECT_EQ(spring.complaints, 5);
    EXPECT_EQ(spring.unsubscribes, 1);
    EXPECT_EQ(spring.untrusted, 1);
    EXPECT_EQ(spring.not_in_crm, 1);
    using Top = std::vector<std::pair<std::string, std::int64_t>>;
    EXPECT_EQ(spring.top_providers, (Top{{"aol.com", 2}, {"gmail.com", 1}, {"web.de", 1}}));
    EXPECT_EQ(stats[2].sends, 4);
    EXPECT_EQ(stats[2].complaints, 1);
    EXPECT_EQ(stats[2].unsubscribes, 1);
    EXPECT_EQ(stats[3].sends, 1);
    EXPECT_EQ(stats[3].complaints, 0);

    auto since_day2 = store->mailing_stats(day2 - 1h);
    auto spring2 = std::find_if(since_day2.begin(), since_day2.end(),
                                [](const auto& s) { return s.mailing_id == "spring"; });
    ASSERT_NE(spring2, since_day2.end());
    EXPECT_EQ(spring2->sends, 6);
    EXPECT_EQ(spring2->complaints, 4);
    EXPECT_EQ(spring2->not_in_crm, 0);

    auto as_text = [](const std::vector<DailyRate>& rates) {
        std::vector<std::string> rows;
        for (const auto& rate : rates) {
            rows.push_back(rate.day + " " + std::to_string(rate.sends) + "/" +
                           std::to_string(rate.complaints));
        }
        return rows;
    };
    using Rows = std::vector<std::string>;
    EXPECT_EQ(as_text(store->daily_rates(std::string("spring"), day1 - 24h)),
              (Rows{"2026-11-27 4/1", "2026-11-28 6/4"}));
    EXPECT_EQ(as_text(store->daily_rates(std::nullopt, day1 - 24h)),
              (Rows{"2026-11-27 8/2", "2026-11-28 7/5"}));
    EXPECT_EQ(as_text(store->daily_rates(std::string(""), day1 - 24h)), (Rows{"2026-11-28 1/0"}));
    EXPECT_EQ(as_text(store->daily_rates(std::string("spring"), day2 - 1h)),
              (Rows{"2026-11-28 6/4"}));
}

TEST_P(ConsoleReaderTest, SuppressionPagesSearchActiveEntriesByKey) {
    for (const char* key :
         {"ann@x.example", "bob@x.example", "cy@y.example", "100%@x.example", "dee@x.example"}) {
        store->add(entry_for(key));
    }
    auto expired = entry_for("eve@x.example");
    expired.expires_at = std::chrono::system_clock::now() - 1s;
    store->add(expired);
    auto upper = entry_for("fay@x.example");
    upper.address = "Fay@X.Example";
    store->add(upper);

    auto keys = [](const SuppressionPage& page) {
        std::vector<std::string> found;
        for (const auto& entry : page.rows) {
            found.push_back(entry.key);
        }
        return found;
    };
    using Keys = std::vector<std::string>;
    auto first = store->suppression_page("@x.EXAMPLE", "", 2);
    EXPECT_EQ(keys(first), (Keys{"100%@x.example", "ann@x.example"}));
    ASSERT_TRUE(first.next_key);
    auto second = store->suppression_page("@x.example", *first.next_key, 2);
    EXPECT_EQ(keys(second), (Keys{"bob@x.example", "dee@x.example"}));
    auto last = store->suppression_page("@x.example", *second.next_key, 2);
    EXPECT_EQ(keys(last), Keys{"fay@x.example"});  // eve expired
    EXPECT_FALSE(last.next_key);
    EXPECT_EQ(keys(store->suppression_page("%", "", 10)), Keys{"100%@x.example"});
    EXPECT_EQ(keys(store->suppression_page("", "", 10)).size(), 6u);
    EXPECT_THROW(store->suppression_page("", "", 0), std::invalid_argument);
}

TEST_P(ConsoleReaderTest, HistoryNamesTheExplicitActorNewestFirst) {
    auto entry = entry_for("ann@x.example", Reason::complaint);
    entry.note = "reported spam";
    store->add(entry);
    store->add(entry_for("ann@x.example"), Actor{"console:alice"});
    EXPECT_TRUE(store->remove("ann@x.example", "called us, wants mail", Actor{"console:bob"}));
    store->add(entry_for("other@x.example"));

    auto history = store->history("ann@x.example");
    ASSERT_EQ(history.size(), 3u);
    EXPECT_FALSE(history[0].suppressed);
    EXPECT_EQ(history[0].actor, "console:bob");
    EXPECT_EQ(history[0].note, "called us, wants mail");
    EXPECT_TRUE(history[1].suppressed);
    EXPECT_EQ(history[1].actor, "console:alice");
    EXPECT_EQ(history[1].reason, "manual");
    EXPECT_EQ(history[2].reason, "complaint");
    EXPECT_EQ(history[2].note, "reported spam");
    EXPECT_NE(history[2].actor, "console:alice");  // the process user, as before
    EXPECT_FALSE(history[2].actor.empty());
    EXPECT_GT(history[0].sequence, history[1].sequence);
    EXPECT_NE(history[0].changed_at, TimePoint{});
    EXPECT_TRUE(store->history("nobody@x.example").empty());

    for (int i = 0; i < 210; ++i) {
        store->add(entry_for("busy@x.example"));
    }
    EXPECT_EQ(store->history("busy@x.example").size(), kMaxHistoryRows);
}

INSTANTIATE_TEST_SUITE_P(Backends, ConsoleReaderTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace fbl::store
