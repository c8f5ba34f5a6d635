// `certgate plan --observed FILE`: the pipeline of cli/pipeline.h on a CI runner, from a
// snapshot (observed/snapshot.h) instead of the state directory and the targets: the pull
// request's checkout is the desired state, the snapshot what the CA host and its targets hold.
// It reads no state directory, creates none, and connects to no host.
//
// The plan is the CA host's, action for action, with one difference: a file whose bytes hold a
// secret (pickup/links.conf, which names the enrollment tokens; a profile whose CA name
// changes) is known to change or not, but not by its new sha256 (`after` is empty).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "apply/pickup_files.h"
#include "cli/pipeline.h"
#include "plan/deploy.h"

namespace certgate::cli {

// The DIR/pickup/ files a target serving [enroll] should hold after a plan (cli/pipeline.cc).
struct WantedPickup : apply::PickupFiles {
  std::vector<std::string> unknown;            // files whose bytes only apply makes (new bundles)
  std::map<std::string, std::string> digests;  // files known by sha256 only (plan --observed)
  std::vector<std::string> hidden;             // files that change, to bytes plan cannot see
};

struct ObservedOptions {
  std::string snapshot_file;
  // A snapshot taken longer ago than this is refused: the CA host may have renewed, revoked or
  // re-signed the CRL since, and a plan against it would show work already done (or miss a
  // rollout that failed). The agent writes one after every tick.
  std::chrono::seconds max_age{24 * 3600};
  plan::PlanOptions plan;
};

// The default of --max-snapshot-age, as the help shows it.
inline constexpr const char* kDefaultMaxSnapshotAge = "24h";

// Loads the desired state (a file or a directory: a git URL would need a state directory),
// reads and checks the snapshot, and plans. Prints why on stderr when it cannot (nullopt).
std::optional<PlanRun> run_observed_pipeline(const GlobalOptions& g, base::Instant now,
                                             sys::Filesystem& fs, const ObservedOptions& options);

// The pickup files of target `t` from run.snapshot: the devices' files by their digests, the
// links' pages rendered, .group (cli/pipeline.cc calls this for plan --observed).
WantedPickup snapshot_pickup(const PlanRun& run, const std::set<std::string>& live,
                             const DeployTarget& t);

// pickup/links.conf of `want` (rendered with token placeholders) against the snapshot's redacted
// copy of the deployed one: the same, it keeps the deployed sha256; else it is hidden.
void settle_hidden_links(const PlanRun& run, const DeployTarget& t, plan::TargetWant& want);

}  // namespace certgate::cli
