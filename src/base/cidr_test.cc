#include "base/cidr.h"

#include <doctest/doctest.h>

namespace certgate::base {

TEST_CASE("cidr: IPv4, IPv6 and bare addresses") {
  CHECK(parse_cidr("203.0.113.7/32")->to_string() == "203.0.113.7/32");
  CHECK(parse_cidr("203.0.113.7")->to_string() == "203.0.113.7/32");
  CHECK(parse_cidr("10.0.0.0/8")->prefix == 8);
  CHECK(parse_cidr("0.0.0.0/0")->prefix == 0);
  CHECK(parse_cidr("2001:DB8:0::/32")->to_string() == "2001:db8::/32");
  CHECK(parse_cidr("::1")->to_string() == "::1/128");
  CHECK(parse_cidr("::1")->is_v6);
}

TEST_CASE("cidr: malformed networks are refused") {
  for (const char* bad : {"", "10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/", "10.0.0.0/8x", "300.1.1.1",
                          "not-an-ip", "2001:db8::/129", "10.0.0/8"}) {
    CAPTURE(bad);
    auto r = parse_cidr(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find("bad CIDR") == 0);
  }
}

TEST_CASE("cidr: host bits past the prefix are noticed") {
  CHECK(parse_cidr("10.0.0.5/24")->has_host_bits());
  CHECK_FALSE(parse_cidr("10.0.0.0/24")->has_host_bits());
  CHECK_FALSE(parse_cidr("10.0.0.5")->has_host_bits());
  CHECK(parse_cidr("2001:db8::1/64")->has_host_bits());
}

TEST_CASE("cidr: a network contains the addresses under its prefix") {
  const Cidr net = *parse_cidr("203.0.113.0/24");
  CHECK(net.contains(*parse_cidr("203.0.113.7")));
  CHECK(net.contains(*parse_cidr("203.0.113.128/25")));
  CHECK_FALSE(net.contains(*parse_cidr("203.0.114.7")));
  CHECK_FALSE(net.contains(*parse_cidr("203.0.0.0/16")));
  CHECK(parse_cidr("127.0.0.1")->contains(*parse_cidr("127.0.0.1")));
  CHECK_FALSE(parse_cidr("127.0.0.1")->contains(*parse_cidr("127.0.0.2")));
  CHECK(parse_cidr("0.0.0.0/0")->contains(*parse_cidr("198.51.100.1")));
  CHECK(parse_cidr("10.0.0.5/31")->contains(*parse_cidr("10.0.0.4")));
  CHECK(parse_cidr("2001:db8::/32")->contains(*parse_cidr("2001:db8:1::1")));
  CHECK_FALSE(parse_cidr("2001:db8::/32")->contains(*parse_cidr("2001:db9::1")));
  CHECK_FALSE(parse_cidr("0.0.0.0/0")->contains(*parse_cidr("::1")));
  CHECK_FALSE(parse_cidr("::/0")->contains(*parse_cidr("127.0.0.1")));
}

}  // namespace certgate::base
