// IP networks in CIDR form, for [site.fallback].allow_ips.
//
// Accepts "203.0.113.7/32", "2001:db8::/32", and a bare address as a single host. The result is
// what nginx's `allow` directive is given, in a canonical spelling.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace certgate::base {

struct Cidr {
  bool is_v6 = false;
  std::array<std::uint8_t, 16> address{};  // v4 uses the first 4 bytes
  int prefix = 0;

  // True when the address has bits set past the prefix ("10.0.0.5/24").
  bool has_host_bits() const;
  // Canonical text: "203.0.113.7/32", "2001:db8::/32".
  std::string to_string() const;
  // True when every address of `other` lies in this network: same family, a prefix at least as
  // long, and the first `prefix` bits equal. A bare address is a network of one.
  bool contains(const Cidr& other) const;
  // True for a network so large it opens a door to much of the Internet: a prefix shorter than
  // /8 ("0.0.0.0/0", "::/0", "2000::/3"), for IPv4 and IPv6 alike.
  bool is_broad() const { return prefix < kBroadPrefix; }

  static constexpr int kBroadPrefix = 8;

  auto operator<=>(const Cidr&) const = default;
};

// Fails with Errc::invalid when the address or the prefix length is malformed.
Result<Cidr> parse_cidr(std::string_view text);

}  // namespace certgate::base
