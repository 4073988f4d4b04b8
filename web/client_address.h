#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/network.h"

namespace fbl::web {

// The real client of a request, as nginx's real_ip module with
// real_ip_recursive on decides it: X-Forwarded-For is believed only when the
// TCP peer is a trusted proxy; then the header is walked from the right,
// skipping trusted hops, and the first untrusted address is the client.
// Anyone can write the header, so what an untrusted peer sends is ignored,
// and so is everything left of the first hop no trusted proxy vouches for.
// A garbage entry stops the walk: the last address known good is the answer.
std::string real_client_address(std::string_view peer, std::string_view forwarded_for,
                                const std::vector<config::Network>& trusted_proxies);

// Whether the TCP peer is one of web.trusted_proxies (whose X-Forwarded-*
// headers are believed).
bool proxy_is_trusted(std::string_view peer, const std::vector<config::Network>& trusted_proxies);

}  // namespace fbl::web
