// The body of `certgate apply`, shared with `certgate sync` (and the agent's ticks): load,
// observe, plan, check, carry out, deploy, record, check the gates. Returns the exit code.
#pragma once

#include <CLI/CLI.hpp>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/time.h"
#include "cli/global_options.h"
#include "observed/last_seen.h"
#include "observed/observed_state.h"
#include "plan/next_change.h"

namespace certgate::cli {

struct ApplyFlags {
  std::string command = "apply";  // the command running, for the audit log: apply, sync, agent
  std::string plan_file;          // apply PLAN; empty: plan now
  bool allow_mass_revoke = false;
  // Apply although the clock reads before the last apply or the CRL's thisUpdate.
  bool allow_clock_rewind = false;
  // A git source whose commit does not descend from the last applied one (a force-push, a
  // rewind to an old device list) is refused unless this is set.
  bool allow_rewind = false;
  // The applied commit must be signed by a key of the allowed_signers file.
  bool require_signed = false;
  std::string allowed_signers;
  // sync and agent: write Prometheus text metrics here after each run (empty: none).
  std::string metrics_file;
  // sync and agent: write the snapshot (observed/snapshot.h) here after each run (empty: none).
  std::string snapshot_file;
  // ... and commit it as snapshot.json to this branch of this repository (empty: not pushed).
  std::string snapshot_repo;
  std::string snapshot_branch = "certgate/snapshot";
  // agent: its --interval, for the metrics (0: a sync on a timer, whose interval it cannot know).
  double interval_seconds = 0;
};

// What a run did, for `--metrics-file` (sync_metrics.h).
struct ApplyOutcome {
  std::string source;  // "git 1a2b3c4 (main)"; empty when the desired state did not load
  std::string commit;
  std::optional<base::Instant> commit_time;
  int planned_actions = 0;
  std::vector<std::string> revoked_devices;
  // target -> when its reload succeeded
  std::map<std::string, base::Instant> reloaded_at;
  // When the desired state next changes by itself (the agent wakes then); unset when unknown.
  std::optional<plan::NextChange> next_change;
  // With --metrics-file, once the desired state loaded: what its access logs say (the metrics'
  // last-seen gauges), so that the metrics need not load it a second time.
  std::optional<std::vector<observed::AccessLogSeen>> access_logs = std::nullopt;
  // The observed state when the run changed nothing (an empty plan): still what is true, so the
  // metrics need not observe again. Null otherwise.
  std::shared_ptr<const observed::ObservedState> unchanged = nullptr;
  // With --metrics-file, once the desired state loaded: it, for the renewal-window gauges.
  std::shared_ptr<const desired::DesiredState> desired = nullptr;
  // Target -> whether it holds what the plan wanted (deployed or unchanged); empty: no rollout.
  std::map<std::string, bool> targets_in_sync = {};
};

// Adds --allow-clock-rewind to `cmd`, into `flags`.
void add_clock_option(CLI::App* cmd, ApplyFlags& flags);

// Adds --snapshot-file, --snapshot-repo and --snapshot-branch to `cmd` (sync, agent).
void add_snapshot_options(CLI::App* cmd, ApplyFlags& flags);

// Adds --require-signed and --allowed-signers to `cmd`, into `flags`.
void add_signature_options(CLI::App* cmd, ApplyFlags& flags);

// sync: run_apply reading a git work tree from its commits, then --metrics-file. Fills
// `outcome` when given.
int run_sync(const GlobalOptions& g, const ApplyFlags& flags, ApplyOutcome* outcome = nullptr);

// Returns the exit code; fills `outcome` when given.
int run_apply(const GlobalOptions& g, const ApplyFlags& flags, ApplyOutcome* outcome = nullptr);

}  // namespace certgate::cli
