#include "config/network.h"

#include <charconv>
#include <cstring>
#include <string>

#include <arpa/inet.h>

namespace fbl::config {

std::optional<std::array<std::uint8_t, 16>> Network::parse_address(std::string_view address) {
    if (address.size() > 2 && address.front() == '[' && address.back() == ']') {
        address = address.substr(1, address.size() - 2);
    }
    if (address.starts_with("IPv6:")) {
        address.remove_prefix(5);
    }
    std::string text(address);
    std::array<std::uint8_t, 16> bytes{};
    in_addr v4{};
    if (inet_pton(AF_INET, text.c_str(), &v4) == 1) {
        bytes[10] = 0xff;
        bytes[11] = 0xff;
        std::memcpy(bytes.data() + 12, &v4, 4);
        return bytes;
    }
    in6_addr v6{};
    if (inet_pton(AF_INET6, text.c_str(), &v6) == 1) {
        std::memcpy(bytes.data(), &v6, 16);
        return bytes;
    }
    return std::nullopt;
}

std::optional<Network> Network::parse(std::string_view cidr) {
    auto slash = cidr.find('/');
    auto address_text = cidr.substr(0, slash);
    auto address = parse_address(address_text);
    if (!address) {
        return std::nullopt;
    }
    bool is_v4 = address_text.find(':') == std::string_view::npos;
    int max_length = is_v4 ? 32 : 128;
    int length = max_length;
    if (slash != std::string_view::npos) {
        auto digits = cidr.substr(slash + 1);
        auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), length);
        if (error != std::errc{} || end != digits.data() + digits.size() || length < 0 ||
            length > max_length) {
            return std::nullopt;
        }
    }
    Network network;
    network.base_ = *address;
    network.prefix_length_ = is_v4 ? length + 96 : length;
    network.text_ = std::string(cidr);
    for (int bit = network.prefix_length_; bit < 128; ++bit) {
        network.base_[bit / 8] &= static_cast<std::uint8_t>(~(0x80u >> (bit % 8)));
    }
    return network;
}

bool Network::contains(const std::array<std::uint8_t, 16>& address) const {
    for (int bit = 0; bit < prefix_length_; ++bit) {
        std::uint8_t mask = static_cast<std::uint8_t>(0x80u >> (bit % 8));
        if ((address[bit / 8] & mask) != (base_[bit / 8] & mask)) {
            return false;
        }
    }
    return true;
}

bool Network::contains(std::string_view address) const {
    auto parsed = parse_address(address);
    return parsed && contains(*parsed);
}

}  // namespace fbl::config
