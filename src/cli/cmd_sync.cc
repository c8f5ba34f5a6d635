// certgate sync: one agent tick. Fetch the source, plan, apply, record, write metrics
// (DESIGN.md section 2). It is apply without a saved plan, and a repository given as a path is
// read from its commits (--ref), never from files edited in its work tree. Exit 0 also when
// nothing changed.
#include <spdlog/spdlog.h>

#include <chrono>
#include <memory>

#include "cli/apply_run.h"
#include "cli/commands.h"
#include "cli/load.h"
#include "cli/pipeline.h"
#include "cli/snapshot_take.h"
#include "desired/parse.h"
#include "observed/last_seen.h"
#include "observed/observe.h"
#include "render/metrics.h"
#include "sys/clock.h"
#include "sys/real_filesystem.h"

namespace certgate::cli {
namespace {

// The access logs the desired state names (observed::read_access_logs), for the metrics: as
// run_apply read them, or, when it stopped before (a refused commit), from the desired state read
// again, quietly (run_apply has printed its problems already).
std::vector<observed::AccessLogSeen> access_logs(const GlobalOptions& g, sys::Filesystem& fs,
                                                 base::Instant now, const ApplyOutcome& outcome) {
  if (outcome.access_logs) return *outcome.access_logs;
  auto snapshot = source::load(source_options(g), fs);
  if (!snapshot) return {};
  desired::LoadResult loaded = desired::load_desired(*snapshot, now);
  if (loaded.diagnostics.has_errors()) return {};
  return observed::read_access_logs(fs, loaded.state);
}

// Metrics are written whatever the tick did, failures included: they are how a failing agent
// is noticed. A failure to write them is logged, not fatal.
void write_metrics(const GlobalOptions& g, const std::string& path, const ApplyOutcome& outcome,
                   bool succeeded, double seconds, double interval_seconds) {
  sys::RealFilesystem fs;
  // A tick that changed nothing hands over what it observed; after a change, look again.
  auto observed = outcome.unchanged
                      ? Result<observed::ObservedState>(*outcome.unchanged)
                      : observed::observe(fs, absolute_state_dir(g), desired::DesiredState{},
                                          sys::RealClock().now());
  if (!observed) {
    spdlog::warn("metrics not written: {}", observed.error().message);
    return;
  }
  const base::Instant now = sys::RealClock().now();
  render::SyncRun run{now,
                      succeeded,
                      seconds,
                      outcome.source,
                      outcome.commit,
                      outcome.commit_time,
                      outcome.planned_actions,
                      outcome.revoked_devices,
                      outcome.reloaded_at,
                      outcome.source.empty() ? std::vector<observed::AccessLogSeen>{}
                                             : access_logs(g, fs, now, outcome),
                      outcome.desired.get(),
                      outcome.targets_in_sync,
                      std::nullopt};
  if (interval_seconds > 0) run.interval_seconds = interval_seconds;
  if (auto r = fs.write_atomic(path, render::sync_metrics(run, *observed), 0644); !r)
    spdlog::warn("metrics not written: {}", r.error().message);
}

// The snapshot is taken after the tick, whatever it did: it is what CI plans against, so it
// must say what is true now. A failure to take it is logged; the old file stays, and its age
// tells CI (plan --max-snapshot-age).
void write_snapshot_file(const GlobalOptions& g, const ApplyFlags& flags) {
  sys::RealFilesystem fs;
  auto text = snapshot_text(g, fs, sys::RealClock().now());
  if (!text) {
    spdlog::warn("snapshot not written: {}", text.error().message);
    return;
  }
  if (!flags.snapshot_file.empty()) {
    if (auto r = write_snapshot(fs, flags.snapshot_file, *text); !r)
      spdlog::warn("snapshot not written: {}", r.error().message);
  }
  if (flags.snapshot_repo.empty()) return;
  auto commit = publish_snapshot(g, fs, flags.snapshot_repo, flags.snapshot_branch, *text);
  if (!commit) {
    spdlog::warn("snapshot not pushed to {} {}: {}", flags.snapshot_repo, flags.snapshot_branch,
                 commit.error().message);
    return;
  }
  spdlog::info("snapshot published repo={} branch={} commit={}", flags.snapshot_repo,
               flags.snapshot_branch, *commit);
}

}  // namespace

void add_snapshot_options(CLI::App* cmd, ApplyFlags& flags) {
  cmd->add_option("--snapshot-file", flags.snapshot_file,
                  "Write the snapshot (certgate snapshot: nothing secret) here after each tick");
  cmd->add_option("--snapshot-repo", flags.snapshot_repo,
                  "Also commit it as snapshot.json to a branch of this git repository (path, "
                  "file://, ssh://), for CI to fetch; only when it changed, or hourly");
  cmd->add_option("--snapshot-branch", flags.snapshot_branch, "The branch --snapshot-repo uses")
      ->capture_default_str();
}

int run_sync(const GlobalOptions& g, const ApplyFlags& flags, ApplyOutcome* out) {
  GlobalOptions tick = g;
  tick.source.prefer_git = true;
  ApplyOutcome ignored;
  ApplyOutcome& outcome = out ? *out : ignored;
  const auto start = std::chrono::steady_clock::now();
  const int code = run_apply(tick, flags, &outcome);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!flags.metrics_file.empty())
    write_metrics(tick, flags.metrics_file, outcome, code == 0, seconds, flags.interval_seconds);
  if (!flags.snapshot_file.empty() || !flags.snapshot_repo.empty())
    write_snapshot_file(tick, flags);
  return code;
}

void add_sync_command(CLI::App& app, GlobalOptions& g, CommandTable& commands) {
  auto flags = std::make_shared<ApplyFlags>();
  flags->command = "sync";
  CLI::App* cmd = app.add_subcommand(
      "sync", "One agent tick: fetch the source, plan, apply, record; exit 0 when converged");
  cmd->add_flag("--allow-mass-revoke", flags->allow_mass_revoke,
                "Allow more revocations than [safety].max_revocations");
  cmd->add_flag("--allow-rewind", flags->allow_rewind,
                "Apply a git commit that does not descend from the last applied one");
  cmd->add_option("--metrics-file", flags->metrics_file,
                  "Write Prometheus text metrics here (node_exporter textfile collector)");
  add_clock_option(cmd, *flags);
  add_signature_options(cmd, *flags);
  add_snapshot_options(cmd, *flags);
  commands[cmd] = [&g, flags] { return run_sync(g, *flags); };
}

}  // namespace certgate::cli
