#include "base/pki_types.h"

#include <doctest/doctest.h>

namespace certgate::base {

TEST_CASE("pki types: every spelling round-trips") {
  for (std::string_view name : key_type_names()) CHECK(to_string(*parse_key_type(name)) == name);
  for (std::string_view name : revocation_reason_names()) {
    CHECK(to_string(*parse_revocation_reason(name)) == name);
  }
  for (std::string_view name : p12_profile_names()) {
    CHECK(to_string(*parse_p12_profile(name)) == name);
  }
}

TEST_CASE("pki types: RFC 5280 reason codes") {
  CHECK(static_cast<int>(*parse_revocation_reason("keyCompromise")) == 1);
  CHECK(static_cast<int>(*parse_revocation_reason("cessationOfOperation")) == 5);
  CHECK(static_cast<int>(*parse_revocation_reason("removeFromCRL")) == 8);
  CHECK(static_cast<int>(*parse_revocation_reason("aACompromise")) == 10);
}

TEST_CASE("pki types: weak keys are called weak, typos get a suggestion") {
  for (const char* weak : {"rsa-1024", "rsa-512", "rsa-2047", "dsa", "dsa-2048"}) {
    CAPTURE(weak);
    CHECK(parse_key_type(weak).error().message.starts_with("weak key type"));
  }
  CHECK(parse_key_type("RSA-2048").error().message.find("did you mean \"rsa-2048\"") !=
        std::string::npos);
  CHECK(parse_key_type("ec-p521").error().message.starts_with("unknown key type"));
  CHECK(parse_revocation_reason("keycompromise").error().message.find("keyCompromise") !=
        std::string::npos);
  CHECK_FALSE(parse_p12_profile("legacy"));
}

}  // namespace certgate::base
