#include "base/time.h"

#include <doctest/doctest.h>

namespace certgate::base {

using namespace std::chrono;

TEST_CASE("time: RFC 3339 instants with Z, offsets and fractions") {
  const Instant t = sys_days(2026y / December / 15);
  CHECK(*parse_rfc3339("2026-12-15T00:00:00Z") == t);
  CHECK(*parse_rfc3339("2026-12-15t00:00:00z") == t);
  CHECK(*parse_rfc3339("2026-12-15T02:00:00+02:00") == t);
  CHECK(*parse_rfc3339("2026-12-14T19:30:00-04:30") == t);
  CHECK(*parse_rfc3339("2026-12-15T00:00:00.999Z") == t);
  CHECK(*parse_rfc3339("2024-02-29T12:00:00Z") == sys_days(2024y / February / 29) + hours(12));
}

TEST_CASE("time: malformed instants are refused") {
  for (const char* bad :
       {"", "2026-12-15", "2026-12-15T00:00:00", "2026-13-01T00:00:00Z", "2025-02-29T00:00:00Z",
        "2026-12-15T24:00:00Z", "2026-12-15T00:60:00Z", "2026-12-15T00:00:00+2:00",
        "2026-12-15T00:00:00Zjunk", "2026/12/15T00:00:00Z", "2026-12-15T00:00:00.Z", "tomorrow"}) {
    CAPTURE(bad);
    auto r = parse_rfc3339(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Errc::invalid);
  }
}

TEST_CASE("time: dates and formatting round-trip") {
  CHECK(*parse_date("2027-03-31") == sys_days(2027y / March / 31));
  CHECK_FALSE(parse_date("2027-02-30"));
  CHECK_FALSE(parse_date("2027-3-31"));
  const Instant t = sys_days(2026y / January / 2) + hours(3) + minutes(4) + seconds(5);
  CHECK(format_rfc3339(t) == "2026-01-02T03:04:05Z");
  CHECK(format_date(t) == "2026-01-02");
  CHECK(*parse_rfc3339(format_rfc3339(t)) == t);
}

}  // namespace certgate::base
