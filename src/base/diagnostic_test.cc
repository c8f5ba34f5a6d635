#include "base/diagnostic.h"

#include <doctest/doctest.h>

namespace certgate::base {

TEST_CASE("diagnostics: file:line:col: severity: message") {
  CHECK(format_diagnostic({{"a.toml", 3, 7}, Severity::error, "bad"}) == "a.toml:3:7: error: bad");
  CHECK(format_diagnostic({{"a.toml", 3, 0}, Severity::warning, "hm"}) == "a.toml:3: warning: hm");
  CHECK(format_diagnostic({{"a.toml", 0, 0}, Severity::error, "x"}) == "a.toml: error: x");
}

TEST_CASE("diagnostics: collected, counted, sorted by place, duplicates dropped") {
  Diagnostics d;
  d.error({"f", 9, 1}, "late");
  d.warning({"f", 2, 5}, "early");
  d.error({"f", 2, 1}, "first");
  d.error({"f", 9, 1}, "late");
  CHECK(d.has_errors());
  CHECK(d.error_count() == 3);
  CHECK(d.warning_count() == 1);
  auto s = d.sorted();
  REQUIRE(s.size() == 3);
  CHECK(s[0].message == "first");
  CHECK(s[1].message == "early");
  CHECK(s[2].message == "late");
  Diagnostics only_warnings;
  only_warnings.warning({"f", 1, 1}, "w");
  CHECK_FALSE(only_warnings.has_errors());
}

}  // namespace certgate::base
