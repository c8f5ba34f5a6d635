// The agent: `certgate sync` forever (DESIGN.md section 2), level-triggered like a Kubernetes
// controller. Each tick re-reads everything and converges; nothing is kept from one tick to the
// next but the count of consecutive failures, which sets the backoff.
//
// Signals are handled here and nowhere else: SIGHUP starts a tick now; SIGTERM and SIGINT let
// the running tick finish, then the agent exits 0. They are blocked while a tick runs and
// waited for with sigtimedwait between ticks, so a tick is never interrupted half way.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

namespace certgate::agent {

struct AgentOptions {
  std::chrono::seconds interval{300};
  std::chrono::seconds jitter{30};  // a random extra delay in [0, jitter], so hosts spread out
  std::chrono::seconds max_backoff{3600};
};

// The jitter when none is given: a tenth of `interval`, at most 30s (rounded down to whole
// seconds, so 0 for an interval under 10s), so a short interval is not stretched by a long
// random delay (`--interval 2s` ticks every 2s, not every 2 to 32s).
std::chrono::seconds default_jitter(std::chrono::seconds interval);

// How long to wait before the next tick after `failures` consecutive failed ticks (0 after a
// success): the interval, doubled per failure and capped at max(interval, max_backoff), plus
// `jitter_draw` (the caller's random draw in [0, jitter]).
std::chrono::seconds next_wait(const AgentOptions& options, int failures,
                               std::chrono::seconds jitter_draw);

// What a tick reports: its exit code (0 for success) and, when known, how long until the
// desired state changes by itself (plan/next_change.h: a fallback's `until`, a renewal window,
// a CRL refresh...) and why.
struct TickResult {
  int code = 0;
  std::optional<std::chrono::seconds> change_in;
  std::string change_reason;
};

// The wait after a tick: `wait` (next_wait), cut short to one second past the next change when
// that comes sooner, so the tick after it sees the change (the planner compares with `<`).
std::chrono::seconds wait_with_change(std::chrono::seconds wait,
                                      std::optional<std::chrono::seconds> change_in);

// Runs `tick` at once and then after each wait, until SIGTERM or SIGINT. Returns 0 then, or 1
// when the signals cannot be set up.
int run_agent(const AgentOptions& options, const std::function<TickResult()>& tick);

}  // namespace certgate::agent
