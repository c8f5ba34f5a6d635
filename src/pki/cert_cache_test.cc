#include "pki/cert_cache.h"

#include <doctest/doctest.h>

namespace certgate::pki {
namespace {

TEST_CASE("cert_cache: round-trips, and any malformed line voids the whole cache") {
  CertCache cache;
  cache["4A01"] = {base::Instant{std::chrono::seconds{1795000000}}, base::KeyType::ec_p384,
                   std::string(64, 'a'), "alice@example.com", "server"};
  cache["4A02"] = {base::Instant{std::chrono::seconds{1795000001}}, std::nullopt, "", "", ""};
  const std::string text = format_cert_cache(cache);
  CHECK(text == "4A01\t1795000000\tec-p384\t" + std::string(64, 'a') +
                    "\talice@example.com\tserver\n"
                    "4A02\t1795000001\t-\t\t\t-\n");
  CHECK(parse_cert_cache(text) == cache);
  CHECK_FALSE(parse_cert_cache("4A01\t17\tec-p256\tab\t\tserver").has_value());  // torn
  CHECK_FALSE(parse_cert_cache("4A01\tsoon\tec-p256\tab\t\tserver\n").has_value());
  CHECK_FALSE(parse_cert_cache("4A01\t17\trsa-1024\tab\t\tserver\n").has_value());
  CHECK_FALSE(parse_cert_cache("4A01\t17\tec-p256\tab\t\tmoon\n").has_value());
  CHECK(parse_cert_cache("")->empty());
}

}  // namespace
}  // namespace certgate::pki
