// certgate edge --from REPO --host NAME --nginx-dir DIR --test CMD --reload CMD [--once]: the
// edge side of pull mode (cli/edge_tick.h). Without --once it ticks every --interval, with a
// random extra delay of up to a tenth of it (at most 30 s) so that a fleet spreads out, and backs
// off after failures; SIGHUP ticks now, SIGTERM finishes the tick and exits (agent/agent.h).
#include <algorithm>
#include <memory>

#include "agent/agent.h"
#include "base/duration.h"
#include "cli/commands.h"
#include "cli/edge_tick.h"
#include "sys/real_filesystem.h"

namespace certgate::cli {
namespace {

constexpr std::chrono::seconds kMaxJitter{30};

Result<agent::AgentOptions> loop_options(const EdgeFlags& f) {
  auto interval = base::parse_duration(f.interval);
  if (!interval || interval->count() <= 0)
    return make_error(Errc::invalid, "--interval " + f.interval +
                                         ": a positive duration such "
                                         "as 1m");
  auto backoff = base::parse_duration(f.max_backoff);
  if (!backoff) return make_error(Errc::invalid, "--max-backoff: " + backoff.error().message);
  agent::AgentOptions o;
  o.interval = *interval;
  o.jitter = std::min(kMaxJitter, *interval / 10);
  o.max_backoff = *backoff;
  return o;
}

int run(const GlobalOptions& g, const EdgeFlags& flags) {
  if (auto r = refuse_now(g, "edge"); !r) return fail(r.error().message);
  sys::RealFilesystem fs;
  auto config = edge_config(g, flags, fs);
  if (!config) return fail(config.error().message);
  if (flags.once) return edge_tick(*config);
  auto options = loop_options(flags);
  if (!options) return fail(options.error().message);
  return agent::run_agent(*options, [&config] {
    agent::TickResult result;
    result.code = edge_tick(*config);
    return result;
  });
}

}  // namespace

void add_edge_command(CLI::App& app, GlobalOptions& g, CommandTable& commands) {
  auto f = std::make_shared<EdgeFlags>();
  CLI::App* cmd = app.add_subcommand(
      "edge",
      "Pull mode, on an edge host: fetch the files published for this host, check them, "
      "deploy them to the local nginx (test, reload, roll back on failure); loop unless --once");
  cmd->add_option("--from", f->from,
                  "The publish repository (path, file://, ssh://, https://, user@host:path)")
      ->required();
  cmd->add_option("--host", f->host, "This edge's name: its folder in the publish branch")
      ->required();
  cmd->add_option("--nginx-dir", f->nginx_dir,
                  "Where nginx reads certgate's files; must be the dir they were rendered for")
      ->required();
  cmd->add_option("--test", f->test, "nginx's test command, run with /bin/sh -c (nginx -t)")
      ->envname("CERTGATE_EDGE_TEST")
      ->required();
  cmd->add_option("--reload", f->reload, "nginx's reload command (nginx -s reload)")
      ->envname("CERTGATE_EDGE_RELOAD")
      ->required();
  cmd->add_option("--branch", f->branch, "The publish branch")->capture_default_str();
  cmd->add_option("--interval", f->interval, "Time between ticks (plus up to 10%, at most 30s)")
      ->capture_default_str();
  cmd->add_option("--max-backoff", f->max_backoff,
                  "Longest wait after failing ticks (the wait doubles per failure)")
      ->capture_default_str();
  cmd->add_flag("--once", f->once, "One tick, then exit 0 (serving the tip's files) or 1");
  cmd->add_option("--metrics-file", f->metrics_file,
                  "Write Prometheus text metrics here after each tick");
  cmd->add_flag("--require-signed", f->require_signed,
                "Refuse a tip that is not SSH-signed by a key of --allowed-signers");
  cmd->add_option("--allowed-signers", f->allowed_signers,
                  "ssh-keygen allowed_signers file of the keys that may sign the publish branch");
  cmd->add_flag("--allow-rewind", f->allow_rewind,
                "Apply a tip that does not descend from the publish commit last applied");
  cmd->add_option("--probe", f->probes,
                  "SITE=https://HOST[:PORT]/PATH: after a reload, check this site's gate there "
                  "(a gated path; repeatable)");
  cmd->add_option("--probe-server-name", f->probe_server_names,
                  "SITE=NAME: the SNI and Host header of SITE's probe (repeatable)");
  commands[cmd] = [&g, f] { return run(g, *f); };
}

}  // namespace certgate::cli
