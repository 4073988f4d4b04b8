#pragma once

#include <string>
#include <string_view>

#include "common/crypto.h"

namespace fbl::intake {

// SHA-256 over a sequence of parts, each length-prefixed so ("ab","c") and
// ("a","bc") differ: the dedup and idempotency keys.
class PartsHash {
  public:
    PartsHash& add(std::string_view part) {
        hash_.update(std::to_string(part.size()) + ":").update(part);
        return *this;
    }

    std::string hex() const { return hash_.hex(); }

  private:
    crypto::Sha256 hash_;
};

}  // namespace fbl::intake
