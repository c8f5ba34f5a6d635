// The pipeline as plan, apply, status and verify run it: load the desired state, observe the
// state directory and the nginx files of every target, compute the plan (PKI actions, then the
// file and reload actions of each target) with its input fingerprints.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/load.h"
#include "desired/desired_state.h"
#include "observed/observed_state.h"
#include "observed/snapshot.h"
#include "plan/deploy.h"
#include "plan/plan.h"
#include "plan/planner.h"
#include "sys/command_runner.h"
#include "sys/filesystem.h"
#include "targets/ssh_session.h"
#include "targets/target.h"

namespace certgate::cli {

// A target certgate deploys nginx files to, with its effective [nginx] settings and sites.
struct DeployTarget {
  std::string name;                         // "local" or the [[host]] name
  std::unique_ptr<targets::Target> target;  // null when the host could not be reached
  std::string unreachable;                  // why (connection, host key, authentication)
  desired::NginxSpec nginx;
  std::vector<std::string> sites;
  // plan --observed: not connected to; its files are those of the snapshot.
  bool from_snapshot = false;
  // A pull host ([[host]] mode = "pull"): never connected to (target stays null); its files are
  // those of its folder on the [publish] branch (cli/pull_hosts.h), and `unreachable` says why
  // when that branch could not be read.
  bool is_pull = false;

  // Its deployed files are known, so the plan compares them: connected, from the snapshot, or a
  // pull host whose [publish] branch was read.
  bool is_observed() const { return target || from_snapshot || (is_pull && unreachable.empty()); }
};

struct PlanRun {
  Loaded loaded;
  observed::ObservedState observed;
  plan::Plan plan;
  std::vector<DeployTarget> targets;
  std::string generated_from;  // what the targets' manifests name: "git commit 1a2b3c4..."
  // plan --observed: the snapshot `observed` came from (cli/observed_pipeline.h); null on the CA
  // host, where the state directory is read.
  std::shared_ptr<const observed::Snapshot> snapshot;
  // What each reachable target must hold once the plan has run, as the plan's file actions
  // compare it (render/target_contents.h); after apply_pki, resolve_wants fills in the bytes
  // the plan left unknown.
  std::vector<plan::TargetWant> wants = {};
  // Pull hosts: the [publish] branch's tip as read (empty: nothing published yet, or not read),
  // and its folders of hosts that are no pull host any more (the next publish removes them).
  std::string published_tip = "";
  std::vector<std::string> stale_published = {};
  std::vector<std::string> publish_notes = {};  // what reading that branch found, for the plan
};

// How [[host]] targets are reached: --ssh-key, and the text of --known-hosts (default
// ~/.ssh/known_hosts; a missing file is an empty one). Errc::io when it cannot be read.
Result<targets::SshAccess> ssh_access(const GlobalOptions& g, sys::Filesystem& fs);

// Loads, observes and plans, printing why on stderr when it cannot (nullopt). The local target
// uses `fs` and `runner`, which must outlive the result; [[host]] targets are SSH connections
// (--ssh-key, --known-hosts), made in parallel and kept open in the result for apply. A host
// that cannot be reached is a DeployTarget without target, noted in the plan, not compared.
// Pull hosts are never connected to: the [publish] branch is read once for all of them.
std::optional<PlanRun> run_pipeline(const GlobalOptions& g, base::Instant now, sys::Filesystem& fs,
                                    sys::CommandRunner& runner, const plan::PlanOptions& options);

// The planning half of run_pipeline, once `run` holds the loaded desired state, the observed
// state and the targets: compute the plan, then the file and reload actions of each target.
// Prints why on stderr and returns false when the wanted files cannot be made.
bool plan_run(PlanRun& run, sys::Filesystem& fs, base::Instant now,
              const plan::PlanOptions& options);

// After apply_pki: fills in the bytes of every file run.wants left unknown (the CRL, a new CA,
// maps naming the serials apply chose, new bundles) with the same function that decided the
// others, fed with `new_serials` (device -> serial, ApplyReport::new_serials) and the CA and CRL
// apply wrote. Errc::invalid when a file the plan knew would come out otherwise: nothing may be
// deployed then.
Result<void> resolve_wants(PlanRun& run, sys::Filesystem& fs, base::Instant now,
                           const std::map<std::string, std::string>& new_serials);

}  // namespace certgate::cli
