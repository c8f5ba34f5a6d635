#include "pki/random.h"

#include <doctest/doctest.h>

#include <set>

namespace certgate::pki {

TEST_CASE("random: enrollment tokens are 40 lowercase hex digits, fresh each time") {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    auto token = random_token();
    REQUIRE(token);
    const std::string& t = token->reveal();
    CHECK(t.size() == 40);
    CHECK(t.find_first_not_of("0123456789abcdef") == std::string::npos);
    seen.insert(t);
  }
  CHECK(seen.size() == 100);
}

TEST_CASE("random: a SHA-256 is 64 lowercase hex digits") {
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

}  // namespace certgate::pki
