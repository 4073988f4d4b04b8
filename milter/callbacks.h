#pragma once

#include <memory>

#include <libmilter/mfapi.h>

#include "milter/session.h"

namespace fbl::milter {

// Hands each new connection the runtime in force when it starts.
class RuntimeSource {
  public:
    virtual ~RuntimeSource() = default;
    virtual std::shared_ptr<const Runtime> current() const = 0;
};

// The filter description to give smfi_register; callbacks take their
// runtime from `source`, which must outlive smfi_main.
smfiDesc filter_description(const RuntimeSource& source);

}  // namespace fbl::milter
