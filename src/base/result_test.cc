#include "base/result.h"

#include <doctest/doctest.h>

namespace certgate {

TEST_CASE("result: holds a value or an error") {
  Result<int> ok = 7;
  CHECK(ok.has_value());
  CHECK(static_cast<bool>(ok));
  CHECK(*ok == 7);
  Result<int> bad = make_error(Errc::not_found, "open x: gone");
  CHECK_FALSE(bad);
  CHECK(bad.error().code == Errc::not_found);
  CHECK(bad.error().message == "open x: gone");
  Result<void> done;
  CHECK(done);
  Result<void> failed = make_error(Errc::io, "disk full");
  CHECK_FALSE(failed);
  CHECK(failed.error().message == "disk full");
}

TEST_CASE("result: moves its value out") {
  Result<std::string> r = std::string("abc");
  std::string s = std::move(r).value();
  CHECK(s == "abc");
}

}  // namespace certgate
