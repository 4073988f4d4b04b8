#include <atomic>
#include <iostream>
#include <optional>

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <signal.h>

#include "cli/commands.h"
#include "cli/output.h"
#include "common/units.h"
#include "crm/outbox_worker.h"
#include "crm/redactor.h"

// fblctl outbox list|show|retry|purge|run: the CRM outbox seen and driven by
// an operator.
namespace fbl::cli {
namespace {

using store::OutboxJob;
using suppression::TimePoint;

std::atomic<bool> stop_requested{false};

void request_stop(int) {
    stop_requested = true;
}

std::string iso_time(TimePoint when) {
    return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}",
                       std::chrono::time_point_cast<std::chrono::seconds>(when));
}

// Stored answers are redacted when written; this hides the secrets of the
// current config too, in case one was rotated into an old answer's text.
crm::Redactor config_redactor(const config::Config& config) {
    crm::Redactor redactor;
    for (const auto& adapter : config.crm.adapters) {
        for (const auto& [name, secret] : adapter.secrets) {
            redactor.add(secret.reveal());
        }
    }
    redactor.add(config.webhooks.mailgun.api.api_key.reveal());
    return redactor;
}

nlohmann::json job_json(const OutboxJob& job, const crm::Redactor& redactor) {
    nlohmann::json out{{"id", job.id},
                       {"adapter", job.adapter},
                       {"state", store::to_string(job.state)},
                       {"attempts", job.attempts},
                       {"idempotency_key", job.idempotency_key},
                       {"created_at", iso_time(job.created_at)},
                       {"next_attempt_at", iso_time(job.next_attempt_at)},
                       {"lease_until", nullptr},
                       {"payload", nlohmann::json::parse(job.payload_json, nullptr, false)},
                       {"last_error", redactor.redact(job.last_error)},
                       {"last_response", redactor.redact(job.last_response)}};
    if (job.lease_until) {
        out["lease_until"] = iso_time(*job.lease_until);
    }
    return out;
}

std::string first_line(const std::string& text) {
    return text.substr(0, text.find('\n'));
}

int list_jobs(Context& context, const std::string& state, const std::string& adapter,
              const std::string& format) {
    auto redactor = config_redactor(context.config());
    auto jobs =
        context.store().outbox(state == "all" ? std::nullopt : store::parse_job_state(state));
    std::erase_if(jobs,
                  [&](const auto& job) { return !adapter.empty() && job.adapter != adapter; });
    if (format == "json") {
        auto out = nlohmann::json::array();
        for (const auto& job : jobs) {
            out.push_back(job_json(job, redactor));
        }
        std::cout << out.dump(2) << '\n';
        return kExitOk;
    }
    // Table and CSV go through the shared writers: control characters
    // escaped for a terminal, formula-like cells defused for a spreadsheet.
    Records records{
        {"id", "adapter", "state", "attempts", "created_at", "next_attempt_at", "last_error"}, {}};
    for (const auto& job : jobs) {
        records.rows.push_back({job.id, job.adapter, store::to_string(job.state), job.attempts,
                                iso_time(job.created_at), iso_time(job.next_attempt_at),
                                redactor.redact(first_line(job.last_error))});
    }
    write_records(std::cout, *parse_format(format), records);
    return kExitOk;
}

int show_job(Context& context, std::int64_t id, const std::string& format) {
    auto job = context.store().outbox_job(id);
    if (!job) {
        std::cerr << "fblctl: no outbox job " << id << '\n';
        return kExitDataErr;
    }
    auto out = job_json(*job, config_redactor(context.config()));
    if (format == "json") {
        std::cout << out.dump(2) << '\n';
        return kExitOk;
    }
    for (const char* key : {"id", "adapter", "state", "attempts", "idempotency_key", "created_at",
                            "next_attempt_at", "lease_until"}) {
        const auto& value = out[key];
        std::cout << fmt::format(
            "{:<16} {}\n", std::string(key) + ":",
            printable(value.is_string() ? value.get<std::string>() : value.dump()));
    }
    std::cout << "payload:         " << out["payload"].dump() << '\n';
    std::cout << "last_error:      " << printable(out["last_error"].get<std::string>()) << '\n';
    std::cout << "requests and answers:\n"
              << printable(out["last_response"].get<std::string>(), true);
    return kExitOk;
}

int run_worker(Context& context, bool once) {
    std::unique_ptr<crm::OutboxWorker> built;
    try {
        built = std::make_unique<crm::OutboxWorker>(context.config(), context.writable_store());
    } catch (const crm::AdapterError& error) {
        std::cerr << "fblctl: " << error.what() << '\n';
        return kExitConfig;
    }
    auto& worker = *built;
    crm::WorkerCounts counts;
    if (once) {
        counts = worker.run_once();
    } else {
        struct sigaction action {};
        action.sa_handler = request_stop;
        sigaction(SIGTERM, &action, nullptr);
        sigaction(SIGINT, &action, nullptr);
        counts = worker.run_until([] { return stop_requested.load(); });
    }
    std::cout << fmt::format("done {}, retried {}, dead {}, requests {}\n", counts.done,
                             counts.retried, counts.dead, counts.requests);
    return kExitOk;
}

}  // namespace

void add_outbox_commands(CLI::App& app, Context& context, Action& action) {
    auto* outbox = app.add_subcommand("outbox", "inspect and drive the CRM outbox");
    outbox->require_subcommand(1);

    struct Options {
        std::string state = "all";
        std::string adapter;
        std::string format = "table";
        std::int64_t id = 0;
        bool dead = false;
        bool done = false;
        std::string older_than;
        bool once = false;
    };
    auto options = std::make_shared<Options>();

    auto* list = outbox->add_subcommand("list", "list jobs");
    list->add_option("--state", options->state, "pending | leased | done | dead | all")
        ->check(CLI::IsMember({"pending", "leased", "done", "dead", "all"}));
    list->add_option("--adapter", options->adapter, "only this adapter's jobs");
    list->add_option("--format", options->format, "table | json | csv")
        ->check(CLI::IsMember({"table", "json", "csv"}));
    list->callback([&, options] {
        action = [&, options] {
            return list_jobs(context, options->state, options->adapter, options->format);
        };
    });

    auto* show =
        outbox->add_subcommand("show", "one job: requests, answers, attempts, next attempt");
    show->add_option("id", options->id, "job id")->required();
    show->add_option("--format", options->format, "text | json")
        ->check(CLI::IsMember({"text", "table", "json"}));
    show->callback([&, options] {
        action = [&, options] { return show_job(context, options->id, options->format); };
    });

    auto* retry = outbox->add_subcommand("retry", "make a dead job (or every dead job) due now");
    auto* retry_id = retry->add_option("id", options->id, "job id");
    auto* retry_dead = retry->add_flag("--dead", options->dead, "every dead job");
    retry_id->excludes(retry_dead);
    retry->callback([&, options, retry_id, retry_dead] {
        if (retry_id->count() == 0 && retry_dead->count() == 0) {
            throw CLI::RequiredError("give a job id or --dead");
        }
        action = [&, options] {
            auto count = context.writable_store().requeue_jobs(
                options->dead ? std::nullopt : std::optional<std::int64_t>(options->id));
            std::cout << "requeued " << count << " job(s)\n";
            return options->dead || count > 0 ? kExitOk : kExitDataErr;
        };
    });

    auto* purge = outbox->add_subcommand("purge", "delete finished jobs");
    purge->add_flag("--done", options->done, "delete done jobs (required: dead ones are kept)")
        ->required();
    purge
        ->add_option("--older-than", options->older_than, "finished before this long ago, e.g. 30d")
        ->required();
    purge->callback([&, options] {
        auto age = parse_duration(options->older_than);
        if (!age) {
            throw CLI::ValidationError(
                "--older-than", "'" + options->older_than + "' is not a duration (e.g. 30d)");
        }
        action = [&, age] {
            auto count =
                context.writable_store().purge_done_jobs(std::chrono::system_clock::now() - *age);
            std::cout << "purged " << count << " job(s)\n";
            return kExitOk;
        };
    });

    auto* run =
        outbox->add_subcommand("run", "send due jobs to the CRM (until SIGTERM, or --once)");
    run->add_flag("--once", options->once, "process the jobs due now, then exit");
    run->callback(
        [&, options] { action = [&, options] { return run_worker(context, options->once); }; });
}

}  // namespace fbl::cli
