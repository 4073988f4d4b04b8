#pragma once

#include <chrono>
#include <deque>
#include <map>
#include <optional>
#include <string>

#include "crm/adapter.h"
#include "crm/http_engine.h"
#include "crm/redactor.h"
#include "crm/retry_policy.h"
#include "crm/secret_store.h"
#include "crm/template.h"
#include "store/records.h"

// One job's walk through its adapter's steps. A lookup step that extracts
// several records fans out: the following steps run once per record. The
// whole walk is redone from the first step on a retry, which is safe because
// every step is idempotent (lookups, DELETE/PUT of a state, keyed POSTs).
namespace fbl::crm {

using Variables = std::map<std::string, std::string>;

struct Verdict {
    enum class Kind {
        send,      // send request() now (next step, next record, or the same after a refresh)
        complete,  // every branch succeeded or was already done
        retry,     // try the whole job again later
        dead,      // give up: dead letter
    };
    Kind kind = Kind::send;
    std::optional<std::chrono::seconds> retry_after;
    std::string error;  // redacted
    // complete, and the CRM knew none of the job's records: every branch
    // ended with a lookup that found nothing or a 404 on its first step
    // (a 404 after a lookup found the record means "already so").
    bool not_found = false;
};

class JobRun {
  public:
    // Throws std::invalid_argument when the payload is not a JSON object.
    JobRun(const Adapter& adapter, store::OutboxJob job, SecretStore& secrets,
           const Redactor& redactor);

    const store::OutboxJob& job() const { return job_; }
    const Adapter& adapter() const { return adapter_; }

    // The request of the current branch and step. Throws TemplateError.
    HttpRequest request(Clock::time_point now);
    // Consumes the answer to the last request().
    Verdict answer(const HttpResponse& response);
    // What was sent and answered so far, secrets removed (kept as last_response).
    const std::string& transcript() const { return transcript_; }

  private:
    struct Branch {
        std::size_t step = 0;
        Variables variables;
    };

    std::string render(const std::string& text, Context context, const Variables& variables) const;
    std::string request_key(const Branch& branch) const;
    Verdict advance(const Branch& branch, const HttpResponse& response);
    Verdict next_or_complete();
    // A branch ended by a `done` answer (step.done or done_body_contains).
    void note_done(const Branch& branch, const HttpResponse& response, bool by_body);
    Verdict dead(std::string error, const HttpResponse& response);
    void note(std::string line);

    const Adapter& adapter_;
    store::OutboxJob job_;
    SecretStore& secrets_;
    const Redactor& redactor_;
    std::deque<Branch> branches_;
    bool refreshed_ = false;
    bool found_ = false;  // some branch reached a record the CRM knows
    std::string transcript_;
};

// Values at a JSON Pointer whose "*" segments fan out over arrays and objects.
// Strings come as is, other scalars in their JSON form; missing = none.
std::vector<std::string> extract_values(const std::string& json_text, const std::string& pointer);

}  // namespace fbl::crm
