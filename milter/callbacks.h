#pragma once

#include <memory>

#include <libmilter/mfapi.h>

#include "milter/session.h"

namespace fbl::milter {

// The filter description to give smfi_register; callbacks take their
// runtime from `source`, which must outlive smfi_main.
smfiDesc filter_description(const RuntimeSource& source);

}  // namespace fbl::milter
