#pragma once

#include <string>

#include "intake/intake.h"

// The one line that says what an intake did, for every caller: the milter
// logs it and puts it in X-FBL-Result, `fblctl ingest` logs it.
namespace fbl::intake {

// KIND; trusted|untrusted|not stored; N recipient(s), S suppressed
// [; duplicate][; WHY]. Holds no address: it goes into a header.
std::string summary(const IntakeResult& result);

// summary(); provider P; recipient ADDR[, ADDR] (log::address: hashed with
// logging.pii: hashed). For log lines only.
std::string log_summary(const IntakeResult& result);

}  // namespace fbl::intake
