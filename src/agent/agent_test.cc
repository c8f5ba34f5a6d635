#include "agent/agent.h"

#include <doctest/doctest.h>

namespace certgate::agent {

using std::chrono::seconds;

TEST_CASE("agent: the wait is the interval, doubled per failure up to the cap, plus jitter") {
  AgentOptions o{seconds{300}, seconds{30}, seconds{3600}};
  CHECK(next_wait(o, 0, seconds{0}) == seconds{300});
  CHECK(next_wait(o, 0, seconds{17}) == seconds{317});
  CHECK(next_wait(o, 1, seconds{0}) == seconds{600});
  CHECK(next_wait(o, 3, seconds{0}) == seconds{2400});
  CHECK(next_wait(o, 4, seconds{0}) == seconds{3600});
  CHECK(next_wait(o, 40, seconds{5}) == seconds{3605});
  // An interval longer than max_backoff is its own cap: failures never wait less than success.
  AgentOptions slow{seconds{7200}, seconds{0}, seconds{3600}};
  CHECK(next_wait(slow, 2, seconds{0}) == seconds{7200});
}

TEST_CASE("agent: the default jitter is a tenth of the interval and at most 30s") {
  CHECK(default_jitter(seconds{2}) == seconds{0});
  CHECK(default_jitter(seconds{10}) == seconds{1});
  CHECK(default_jitter(seconds{60}) == seconds{6});
  CHECK(default_jitter(seconds{299}) == seconds{29});
  CHECK(default_jitter(seconds{300}) == seconds{30});
  CHECK(default_jitter(seconds{3600}) == seconds{30});
  // With it a short interval stays short: the longest wait after a success.
  AgentOptions fast{seconds{2}, default_jitter(seconds{2}), seconds{3600}};
  CHECK(next_wait(fast, 0, fast.jitter) == seconds{2});
}

TEST_CASE("agent: a change sooner than the wait wakes the agent one second after it") {
  CHECK(wait_with_change(seconds{600}, std::nullopt) == seconds{600});
  CHECK(wait_with_change(seconds{600}, seconds{3}) == seconds{4});
  CHECK(wait_with_change(seconds{600}, seconds{900}) == seconds{600});
  CHECK(wait_with_change(seconds{600}, seconds{-5}) == seconds{1});  // already past: soon
}

}  // namespace certgate::agent
