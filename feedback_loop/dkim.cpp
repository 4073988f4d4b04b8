#include "feedback_loop/dkim.h"

#include <algorithm>
#include <memory>

#include "common/text.h"
#include "feedback_loop/field_block.h"
#include "feedback_loop/opendkim.h"
#include "feedback_loop/parser.h"

namespace fbl::feedback_loop {
namespace {

struct LibCloser {
    void operator()(DKIM_LIB* lib) const { dkim_close(lib); }
};
struct DkimFree {
    void operator()(DKIM* dkim) const { dkim_free(dkim); }
};

// libopendkim canonicalises CRLF lines; reports from files often carry LF.
std::string crlf_lines(std::string_view raw) {
    std::string lf = normalise_line_endings(raw);
    std::string out;
    out.reserve(lf.size() + lf.size() / 32);
    for (char c : lf) {
        if (c == '\n') {
            out.push_back('\r');
        }
        out.push_back(c);
    }
    return out;
}

bool use_key_file(DKIM_LIB* lib, const std::string& path) {
    dkim_query_t method = DKIM_QUERY_FILE;
    return dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_QUERYMETHOD, &method, sizeof method) ==
               DKIM_STAT_OK &&
           dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_QUERYINFO, const_cast<char*>(path.c_str()),
                        path.size()) == DKIM_STAT_OK;
}

bool set_dns_timeout(DKIM_LIB* lib) {
    unsigned int seconds = static_cast<unsigned int>(kDkimDnsTimeout.count());
    return dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_TIMEOUT, &seconds, sizeof seconds) ==
           DKIM_STAT_OK;
}

// Runs once the signatures are known, before any key is fetched: only the
// first few reporter-domain signatures cost a lookup.
DKIM_CBSTAT select_signatures(DKIM* dkim, DKIM_SIGINFO** signatures, int count) {
    const auto* settings =
        static_cast<const config::FeedbackSettings*>(dkim_get_user_context(dkim));
    int checked = 0;
    for (int i = 0; i < count; ++i) {
        const char* domain = reinterpret_cast<const char*>(dkim_sig_getdomain(signatures[i]));
        bool wanted = domain != nullptr && settings != nullptr &&
                      is_reporter_domain(domain, *settings) && checked < kMaxDkimSignaturesChecked;
        if (wanted) {
            ++checked;
        } else {
            dkim_sig_ignore(signatures[i]);
        }
    }
    return DKIM_CBSTAT_CONTINUE;
}

// A key that could not be fetched for a reason that may pass: the query
// failed (timeout, SERVFAIL, unreadable key file), not "no such key".
bool key_fetch_failed_temporarily(DKIM_SIGINFO* signature) {
    return dkim_sig_geterror(signature) == DKIM_SIGERROR_KEYFAIL;
}

}  // namespace

bool domain_in(std::string_view domain, const std::vector<std::string>& domains) {
    std::string lowered = text::ascii_lower(domain);
    return std::any_of(domains.begin(), domains.end(), [&](const std::string& configured) {
        std::string wanted = text::ascii_lower(configured);
        return !wanted.empty() && (lowered == wanted || (lowered.size() > wanted.size() &&
                                                         lowered.ends_with("." + wanted)));
    });
}

bool is_reporter_domain(std::string_view domain, const config::FeedbackSettings& settings) {
    return domain_in(domain, settings.reporter_domains);
}

DkimVerdict verify_reporter_dkim(std::string_view raw_message,
                                 const config::FeedbackSettings& settings) {
    DkimVerdict verdict;
    if (settings.reporter_domains.empty()) {
        verdict.detail = "no reporter_domains configured";
        return verdict;
    }
    std::unique_ptr<DKIM_LIB, LibCloser> lib(dkim_init(nullptr, nullptr));
    if (!lib || !set_dns_timeout(lib.get()) ||
        dkim_set_prescreen(lib.get(), select_signatures) != DKIM_STAT_OK ||
        (!settings.dkim_key_file.empty() && !use_key_file(lib.get(), settings.dkim_key_file))) {
        verdict.detail = "libopendkim could not be set up";
        return verdict;
    }
    DKIM_STAT status = DKIM_STAT_OK;
    std::unique_ptr<DKIM, DkimFree> dkim(dkim_verify(
        lib.get(), reinterpret_cast<const unsigned char*>("fbl-report"), nullptr, &status));
    if (!dkim || status != DKIM_STAT_OK ||
        dkim_set_user_context(dkim.get(), const_cast<config::FeedbackSettings*>(&settings)) !=
            DKIM_STAT_OK) {
        verdict.detail = "libopendkim could not start verifying";
        return verdict;
    }
    std::string message = crlf_lines(raw_message);
    dkim_chunk(dkim.get(), reinterpret_cast<u_char*>(message.data()), message.size());
    dkim_chunk(dkim.get(), nullptr, 0);
    // The overall status describes one signature; each is checked below.
    dkim_eom(dkim.get(), nullptr);
    DKIM_SIGINFO** signatures = nullptr;
    int count = 0;
    if (dkim_getsiglist(dkim.get(), &signatures, &count) != DKIM_STAT_OK || count == 0) {
        verdict.detail = "no DKIM signature";
        return verdict;
    }
    for (int i = 0; i < count; ++i) {
        if ((dkim_sig_getflags(signatures[i]) & DKIM_SIGFLAG_IGNORE) != 0) {
            continue;
        }
        const char* domain = reinterpret_cast<const char*>(dkim_sig_getdomain(signatures[i]));
        if (DKIM_SIG_CHECK(signatures[i])) {
            verdict.passed = true;
            verdict.temporary = false;
            verdict.domain = text::ascii_lower(domain);
            return verdict;
        }
        if (key_fetch_failed_temporarily(signatures[i])) {
            verdict.temporary = true;
            verdict.detail = std::string("the DKIM key of ") + domain +
                             " could not be fetched (temporary failure)";
        } else if (!verdict.temporary) {
            verdict.detail = std::string("DKIM signature of ") + domain + " does not verify";
        }
    }
    if (verdict.detail.empty()) {
        verdict.detail = "no DKIM signature from a reporter domain";
    }
    return verdict;
}

}  // namespace fbl::feedback_loop
