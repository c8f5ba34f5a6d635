#include "edge/edge_status.h"

#include <doctest/doctest.h>

#include "support/mem_filesystem.h"

namespace certgate::edge {
namespace {

const base::Instant kNow{std::chrono::seconds{1767225600}};

TEST_CASE("edge status: failures count up and a success resets them") {
  EdgeStatus s = after_tick({}, false, kNow);
  CHECK(s == EdgeStatus{std::nullopt, 1});
  s = after_tick(s, false, kNow);
  CHECK(s.consecutive_failures == 2);
  s = after_tick(s, true, kNow + std::chrono::seconds{60});
  CHECK(s == EdgeStatus{kNow + std::chrono::seconds{60}, 0});
  s = after_tick(s, false, kNow + std::chrono::seconds{120});
  CHECK(s == EdgeStatus{kNow + std::chrono::seconds{60}, 1});
}

TEST_CASE("edge status: written and read back, a damaged file reads as empty") {
  testing::MemFilesystem fs;
  REQUIRE(fs.make_dirs("/state/edge", 0700));
  const EdgeStatus s{kNow, 2};
  REQUIRE(write_status(fs, "/state/edge/e.status.json", s));
  CHECK(fs.files().at("/state/edge/e.status.json").mode == 0600);
  CHECK(read_status(fs, "/state/edge/e.status.json") == s);
  CHECK(read_status(fs, "/state/edge/missing.json") == EdgeStatus{});
  CHECK(parse_status("[1,2]") == EdgeStatus{});
  CHECK(parse_status("{\"consecutive_failures\": -4}") == EdgeStatus{});
}

}  // namespace
}  // namespace certgate::edge
