#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

// What the parser and the trust decision need to know about mail we sent,
// asked through ports this folder owns: feedback_loop/ stays pure (parsing
// and decisions) and never sees the store (DESIGN.md, "Layout").
namespace fbl::feedback_loop {

// One recipient of a message we sent, as the send log holds it.
struct SentCopy {
    std::string recipient;      // as given to the MTA
    std::string recipient_key;  // its suppression key
};

class SentMail {
  public:
    virtual ~SentMail() = default;
    // Every recipient of the message with this Message-ID; none when it is
    // not ours (or its record has expired).
    virtual std::vector<SentCopy> recipients_of(const std::string& message_id) = 0;
};

// The suppression key of an address (the configured normalisation); "" when
// it is not an address.
using KeyOf = std::function<std::string(std::string_view address)>;

}  // namespace fbl::feedback_loop
