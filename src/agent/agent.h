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

namespace certgate::agent {

struct AgentOptions {
  std::chrono::seconds interval{300};
  std::chrono::seconds jitter{30};  // a random extra delay in [0, jitter], so hosts spread out
  std::chrono::seconds max_backoff{3600};
};

// How long to wait before the next tick after `failures` consecutive failed ticks (0 after a
// success): the interval, doubled per failure and capped at max(interval, max_backoff), plus
// `jitter_draw` (the caller's random draw in [0, jitter]).
std::chrono::seconds next_wait(const AgentOptions& options, int failures,
                               std::chrono::seconds jitter_draw);

// Runs `tick` (which returns an exit code, 0 for success) at once and then after each wait,
// until SIGTERM or SIGINT. Returns 0 then, or 1 when the signals cannot be set up.
int run_agent(const AgentOptions& options, const std::function<int()>& tick);

}  // namespace certgate::agent
