#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace fbl::config {

// An IPv4 or IPv6 network in CIDR form; IPv4 is held as IPv4-mapped IPv6 so
// one comparison serves both families.
class Network {
  public:
    static std::optional<Network> parse(std::string_view cidr);
    bool contains(std::string_view address) const;
    bool contains(const std::array<std::uint8_t, 16>& address) const;
    const std::string& text() const { return text_; }

    static std::optional<std::array<std::uint8_t, 16>> parse_address(std::string_view address);

  private:
    std::array<std::uint8_t, 16> base_{};
    int prefix_length_ = 0;
    std::string text_;
};

}  // namespace fbl::config
