#pragma once

#include <string>
#include <vector>

#include "config/config.h"

namespace fbl::config {

// What --check-config can say about files beyond the syntax: whether the
// daemon's user (milter.user) can read its secrets and write its store. A
// check run as root cannot see that from the loader, which read every file
// as root.
struct AccessReport {
    std::vector<std::string> problems;  // the daemon would fail on these
    std::vector<std::string> warnings;  // what could not be checked, and why
};

// Checks as milter.user: as root in a child that takes that user's ids, as
// that user directly; as any other user it only warns.
AccessReport check_access_as_daemon_user(const Config& config);

// The checks themselves, with the current ids (the child's work).
std::vector<std::string> access_problems(const Config& config);

// fblweb's own files (web.tls), with the current ids. Apart from
// access_problems so that fblmilter's --check-config (its unit's
// ExecStartPre) never fails on a web setting: fblweb must not stop mail.
std::vector<std::string> web_access_problems(const WebSettings& web);

// fblweb's webhook files (webhooks.ses.certificate_dir: a directory it must
// be able to list and read), with the current ids; apart for the same reason.
std::vector<std::string> webhook_access_problems(const WebhookSettings& webhooks);

// --check-config's answer, the same for both daemons: each warning and
// problem on stderr as "PATH: ...", then "PATH: configuration OK" on stdout
// and 0, or kExitConfig when there is a problem.
int report_check(const std::string& path, const std::vector<std::string>& warnings,
                 const std::vector<std::string>& problems);

}  // namespace fbl::config
