#include "agent/agent.h"

#include <signal.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <random>

namespace certgate::agent {

using std::chrono::seconds;

seconds default_jitter(seconds interval) {
  return std::clamp(interval / 10, seconds{0}, seconds{30});
}

seconds next_wait(const AgentOptions& options, int failures, seconds jitter_draw) {
  const seconds cap = std::max(options.interval, options.max_backoff);
  seconds wait = options.interval;
  for (int i = 0; i < failures && wait < cap; ++i) wait *= 2;
  return std::min(wait, cap) + jitter_draw;
}

seconds wait_with_change(seconds wait, std::optional<seconds> change_in) {
  if (!change_in) return wait;
  return std::min(wait, std::max(*change_in, seconds{0}) + seconds{1});
}

namespace {

enum class Wake { timeout, tick_now, stop };

// Sleeps up to `wait`, waking early for a signal of `set`.
Wake sleep_for(seconds wait, const sigset_t& set) {
  const auto deadline = std::chrono::steady_clock::now() + wait;
  while (true) {
    auto left = deadline - std::chrono::steady_clock::now();
    if (left <= std::chrono::steady_clock::duration::zero()) return Wake::timeout;
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(left).count();
    timespec ts{static_cast<time_t>(ns / 1000000000), static_cast<long>(ns % 1000000000)};
    int sig = sigtimedwait(&set, nullptr, &ts);
    if (sig == SIGHUP) return Wake::tick_now;
    if (sig == SIGTERM || sig == SIGINT) return Wake::stop;
    if (sig < 0 && errno == EAGAIN) return Wake::timeout;
  }
}

// A signal that arrived during the tick and is still pending.
Wake pending(const sigset_t& set) {
  timespec zero{0, 0};
  Wake wake = Wake::timeout;
  int sig;
  while ((sig = sigtimedwait(&set, nullptr, &zero)) > 0) {
    if (sig == SIGTERM || sig == SIGINT) return Wake::stop;
    if (sig == SIGHUP) wake = Wake::tick_now;
  }
  return wake;
}

}  // namespace

int run_agent(const AgentOptions& options, const std::function<TickResult()>& tick) {
  sigset_t set;
  sigemptyset(&set);
  for (int s : {SIGHUP, SIGTERM, SIGINT}) sigaddset(&set, s);
  if (sigprocmask(SIG_BLOCK, &set, nullptr) != 0) {
    spdlog::error("agent: cannot block signals");
    return 1;
  }
  std::mt19937_64 rng{std::random_device{}()};
  int failures = 0;
  spdlog::info("agent started interval={}s jitter={}s", options.interval.count(),
               options.jitter.count());
  while (true) {
    const auto start = std::chrono::steady_clock::now();
    const TickResult result = tick();
    const int code = result.code;
    const double took =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    failures = code == 0 ? 0 : failures + 1;
    std::uniform_int_distribution<long> draw(0, options.jitter.count());
    const seconds planned = next_wait(options, failures, seconds{draw(rng)});
    const seconds wait = wait_with_change(planned, result.change_in);
    if (wait < planned)
      spdlog::info("next tick early next_in_s={} reason=\"{}\"", wait.count(),
                   result.change_reason);
    if (code == 0) {
      spdlog::info("tick ok duration_s={:.2f} next_in_s={}", took, wait.count());
    } else {
      spdlog::warn("tick failed consecutive_failures={} duration_s={:.2f} next_in_s={} (backoff)",
                   failures, took, wait.count());
    }
    Wake wake = pending(set);
    if (wake == Wake::timeout) wake = sleep_for(wait, set);
    if (wake == Wake::stop) {
      spdlog::info("agent stopping on signal; the last tick has finished");
      return 0;
    }
    if (wake == Wake::tick_now) spdlog::info("tick requested by SIGHUP");
  }
}

}  // namespace certgate::agent
