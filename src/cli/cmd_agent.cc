// certgate agent --interval 5m [--jitter 30s]: `certgate sync` forever (agent/agent.h). Each
// tick is a full sync under STATE/lock, so an agent and a manual apply never run at once.
#include <memory>

#include "agent/agent.h"
#include "base/duration.h"
#include "cli/apply_run.h"
#include "cli/commands.h"
#include "sys/clock.h"

namespace certgate::cli {
namespace {

struct AgentFlags {
  ApplyFlags tick;
  std::string interval = "5m";
  std::string jitter = "";  // empty: agent::default_jitter(interval)
  std::string max_backoff = "1h";
};

Result<agent::AgentOptions> agent_options(const AgentFlags& f) {
  agent::AgentOptions o;
  auto interval = base::parse_duration(f.interval);
  if (!interval || interval->count() <= 0)
    return make_error(Errc::invalid, "--interval " + f.interval +
                                         ": a positive duration "
                                         "such as 5m");
  // No jitter at all ("0", "0s") is allowed, unlike a zero duration in certgate.toml.
  const bool no_jitter = f.jitter.find_first_not_of("0") == 1 || f.jitter == "0";
  auto jitter = f.jitter.empty() ? Result<std::chrono::seconds>(agent::default_jitter(*interval))
                : no_jitter      ? Result<std::chrono::seconds>(std::chrono::seconds{0})
                                 : base::parse_duration(f.jitter);
  if (!jitter) return make_error(Errc::invalid, "--jitter: " + jitter.error().message);
  auto backoff = base::parse_duration(f.max_backoff);
  if (!backoff) return make_error(Errc::invalid, "--max-backoff: " + backoff.error().message);
  o.interval = *interval;
  o.jitter = *jitter;
  o.max_backoff = *backoff;
  return o;
}

// One sync, with how long until the desired state changes by itself (a fallback closing, a
// renewal window opening), so the agent wakes then rather than an interval later.
agent::TickResult tick(const GlobalOptions& g, const ApplyFlags& flags) {
  ApplyOutcome outcome;
  agent::TickResult result;
  result.code = run_sync(g, flags, &outcome);
  if (outcome.next_change) {
    result.change_in = std::chrono::duration_cast<std::chrono::seconds>(outcome.next_change->at -
                                                                        sys::RealClock().now());
    result.change_reason = outcome.next_change->reason;
  }
  return result;
}

int run(const GlobalOptions& g, const AgentFlags& flags) {
  if (auto r = refuse_now(g, "agent"); !r) return fail(r.error().message);
  auto options = agent_options(flags);
  if (!options) return fail(options.error().message);
  ApplyFlags each = flags.tick;
  each.interval_seconds = static_cast<double>(options->interval.count());
  return agent::run_agent(*options, [&g, &each] { return tick(g, each); });
}

}  // namespace

void add_agent_command(CLI::App& app, GlobalOptions& g, CommandTable& commands) {
  auto flags = std::make_shared<AgentFlags>();
  flags->tick.command = "agent";
  CLI::App* cmd = app.add_subcommand(
      "agent", "Run sync forever; SIGHUP syncs now, SIGTERM finishes the tick and exits");
  cmd->add_option("--interval", flags->interval, "Time between ticks")->capture_default_str();
  cmd->add_option("--jitter", flags->jitter,
                  "Random extra delay per tick, up to this (default: a tenth of --interval, at "
                  "most 30s; 0s for none)");
  cmd->add_option("--max-backoff", flags->max_backoff,
                  "Longest wait after failing ticks (the wait doubles per failure)")
      ->capture_default_str();
  add_signature_options(cmd, flags->tick);
  add_snapshot_options(cmd, flags->tick);
  cmd->add_option("--metrics-file", flags->tick.metrics_file,
                  "Write Prometheus text metrics here after each tick");
  commands[cmd] = [&g, flags] { return run(g, *flags); };
}

}  // namespace certgate::cli
