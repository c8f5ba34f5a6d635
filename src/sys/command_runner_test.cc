#include "sys/command_runner.h"

#include <doctest/doctest.h>

namespace certgate::sys {

// These run /bin/sh for real: the runner is the edge where a fake cannot show anything.
TEST_CASE("command runner: captures stdout, stderr and the exit code of /bin/sh -c") {
  RealCommandRunner runner;
  auto r = runner.run({"echo out; echo err >&2; exit 3"});
  REQUIRE(r);
  CHECK(r->out == "out\n");
  CHECK(r->err == "err\n");
  CHECK(r->exit_code == 3);
  CHECK_FALSE(r->succeeded());
  CHECK(describe_end(*r, {"x"}) == "exit 3");
}

TEST_CASE("command runner: a command past its timeout is killed with its children") {
  RealCommandRunner runner;
  Command c{"sleep 30 & wait", std::chrono::seconds{0}};
  auto r = runner.run(c);
  REQUIRE(r);
  CHECK(r->timed_out);
  CHECK_FALSE(r->succeeded());
  CHECK(describe_end(*r, c) == "timed out after 0s");
}
}  // namespace certgate::sys
