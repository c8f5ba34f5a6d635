#include "base/cidr.h"

#include <arpa/inet.h>

#include <charconv>

namespace certgate::base {

bool Cidr::has_host_bits() const {
  const int bits = is_v6 ? 128 : 32;
  for (int i = prefix; i < bits; ++i) {
    if (address[i / 8] & (0x80 >> (i % 8))) return true;
  }
  return false;
}

bool Cidr::contains(const Cidr& other) const {
  if (is_v6 != other.is_v6 || other.prefix < prefix) return false;
  for (int i = 0; i < prefix; ++i) {
    const int bit = 0x80 >> (i % 8);
    if ((address[i / 8] & bit) != (other.address[i / 8] & bit)) return false;
  }
  return true;
}

std::string Cidr::to_string() const {
  char buf[INET6_ADDRSTRLEN];
  inet_ntop(is_v6 ? AF_INET6 : AF_INET, address.data(), buf, sizeof buf);
  return std::string(buf) + "/" + std::to_string(prefix);
}

Result<Cidr> parse_cidr(std::string_view text) {
  const std::string quoted = "\"" + std::string(text) + "\"";
  const size_t slash = text.find('/');
  const std::string addr(text.substr(0, slash));
  Cidr out;
  if (inet_pton(AF_INET, addr.c_str(), out.address.data()) == 1) {
    out.is_v6 = false;
  } else if (inet_pton(AF_INET6, addr.c_str(), out.address.data()) == 1) {
    out.is_v6 = true;
  } else {
    return make_error(Errc::invalid,
                      "bad CIDR " + quoted + ": \"" + addr + "\" is not an IPv4 or IPv6 address");
  }
  const int max_prefix = out.is_v6 ? 128 : 32;
  out.prefix = max_prefix;
  if (slash != std::string_view::npos) {
    const std::string_view p = text.substr(slash + 1);
    int n = -1;
    auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), n);
    if (p.empty() || ec != std::errc() || end != p.data() + p.size() || n < 0 || n > max_prefix) {
      return make_error(Errc::invalid, "bad CIDR " + quoted + ": prefix length must be 0 to " +
                                           std::to_string(max_prefix));
    }
    out.prefix = n;
  }
  return out;
}

}  // namespace certgate::base
