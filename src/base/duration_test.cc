#include "base/duration.h"

#include <doctest/doctest.h>

namespace certgate::base {

using std::chrono::seconds;

TEST_CASE("duration: every unit of the design parses") {
  CHECK(*parse_duration("30d") == seconds(30 * 86400));
  CHECK(*parse_duration("12h") == seconds(12 * 3600));
  CHECK(*parse_duration("10y") == seconds(10LL * 365 * 86400));
  CHECK(*parse_duration("90m") == seconds(90 * 60));
  CHECK(*parse_duration("45s") == seconds(45));
  CHECK(*parse_duration("2w") == seconds(14 * 86400));
}

TEST_CASE("duration: malformed text is refused with the rules in the message") {
  for (const char* bad : {"", "d", "30", "30x", "1 year", "0d", "-5d", "+5d", "1.5d", "30D",
                          "99999999999999999999d", "5000y"}) {
    CAPTURE(bad);
    auto r = parse_duration(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Errc::invalid);
    CHECK(r.error().message.find("e.g. \"30d\"") != std::string::npos);
  }
}

TEST_CASE("duration: formats with the largest exact unit, weeks aside") {
  CHECK(format_duration(seconds(30 * 86400)) == "30d");
  CHECK(format_duration(seconds(14 * 86400)) == "14d");
  CHECK(format_duration(seconds(365 * 86400)) == "1y");
  CHECK(format_duration(seconds(5400)) == "90m");
  CHECK(format_duration(seconds(7)) == "7s");
  CHECK(format_duration(*parse_duration("36h")) == "36h");
}

}  // namespace certgate::base
