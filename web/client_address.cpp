#include "web/client_address.h"

#include <algorithm>

namespace fbl::web {
namespace {

bool trusted(std::string_view address, const std::vector<config::Network>& proxies) {
    return std::any_of(proxies.begin(), proxies.end(),
                       [&](const config::Network& network) { return network.contains(address); });
}

std::string_view trim(std::string_view text) {
    auto first = text.find_first_not_of(" \t");
    if (first == std::string_view::npos) {
        return {};
    }
    auto last = text.find_last_not_of(" \t");
    return text.substr(first, last - first + 1);
}

// The entries, in header order, trimmed.
std::vector<std::string_view> entries_of(std::string_view header) {
    std::vector<std::string_view> entries;
    for (;;) {
        auto comma = header.find(',');
        entries.push_back(trim(header.substr(0, comma)));
        if (comma == std::string_view::npos) {
            return entries;
        }
        header.remove_prefix(comma + 1);
    }
}

}  // namespace

std::string real_client_address(std::string_view peer, std::string_view forwarded_for,
                                const std::vector<config::Network>& trusted_proxies) {
    std::string client(peer);
    if (forwarded_for.empty() || !trusted(peer, trusted_proxies)) {
        return client;
    }
    auto entries = entries_of(forwarded_for);
    for (auto entry = entries.rbegin(); entry != entries.rend(); ++entry) {
        if (!config::Network::parse_address(*entry)) {
            break;  // garbage: nothing left of it is vouched for
        }
        client = std::string(*entry);
        if (!trusted(*entry, trusted_proxies)) {
            break;
        }
    }
    return client;
}

}  // namespace fbl::web

namespace fbl::web {

bool proxy_is_trusted(std::string_view peer, const std::vector<config::Network>& trusted_proxies) {
    return trusted(peer, trusted_proxies);
}

}  // namespace fbl::web
