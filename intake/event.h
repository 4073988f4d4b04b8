#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "store/records.h"

namespace fbl::intake {

// A complaint or unsubscribe whose channel carries its own proof for exactly
// one person: our signed one-click token, a provider's verified webhook
// signature. There is no report to parse and no trust to decide: the caller
// has verified the proof before it builds the event, and the proof covers
// `recipient` and nobody else.
struct VouchedEvent {
    store::Channel channel = store::Channel::one_click;
    store::ComplaintKind kind = store::ComplaintKind::unsubscribe;  // or complaint
    std::string recipient;                                          // the address the proof names
    std::string proof;  // what vouched, for the record: "one-click token k1"
    // The channel's own id of this event (a webhook's event id, a token's
    // hash): the same event delivered twice is taken once. Empty: the
    // person, mailing and kind identify it.
    std::string event_id;
    std::string provider;  // "mailgun.com"; empty for our own link
    std::string feedback_type;
    // Attribution, best first: our signed reference header when the event
    // carries the original's headers, else the Message-ID in the send log,
    // else the mailing id the channel itself names.
    std::string reference_header;
    std::string original_message_id;
    std::string mailing_id;
    std::optional<store::TimePoint> occurred_at;
    nlohmann::json detail = nlohmann::json::object();  // the provider's ids, kept with it
};

}  // namespace fbl::intake
