// The deploy stage of apply: after the PKI actions (done once, before any target), carry out
// each target's file actions with the bytes the plan decided (apply/deploy.h), target by target
// as [rollout] says (DESIGN.md section 3):
//
//   - the first `canary` targets one at a time, then the rest in batches of `batch` in parallel;
//   - a target that fails (unreachable, refused host key, upload, `nginx -t`, reload) has its
//     previous files restored by deploy() as far as its connection allows, and is reported;
//   - once more than `max_failures` targets have failed, the rollout stops after the running
//     batch and the remaining targets are left untouched.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "apply/deploy.h"
#include "desired/desired_state.h"
#include "targets/target.h"

namespace certgate::apply {

struct RolloutTarget {
  std::string name;                   // "local" or the [[host]] name
  targets::Target* target = nullptr;  // borrowed; null when it could not be reached
  std::string unreachable;            // why it could not be reached (target is null)
  DeployRequest request = {};         // the plan's changes for it
  bool deploys = false;               // the plan has a file or reload action for it: deploy() runs
  // Path relative to its dir -> sha256 of every file it holds once deployed (state.json).
  std::map<std::string, std::string> holds = {};
};

enum class TargetOutcome { unchanged, deployed, failed, skipped };

struct TargetResult {
  std::string target;
  TargetOutcome outcome = TargetOutcome::skipped;
  std::string error;  // failed: why
  int files = 0;      // files written or removed
  bool reloaded = false;
  bool nginx_not_running = false;  // deployed, but no nginx ran to reload (apply/deploy.h)

  bool operator==(const TargetResult&) const = default;
};

struct RolloutReport {
  // target -> path relative to its dir -> sha256 of the file now deployed, for the targets that
  // hold what they should (state.json).
  std::map<std::string, std::map<std::string, std::string>> deployed;
  std::vector<std::string> reloaded;  // targets reloaded
  // Targets whose files are in place but whose nginx was not running: it must be started.
  std::vector<std::string> not_running;
  int files_written = 0;
  std::vector<TargetResult> results;  // every target, in rollout order
  bool stopped = false;               // more than max_failures failed: the rest left untouched

  int failures() const;
};

// Deploys each target that `deploys` as [rollout] says; the others are unchanged. Failed
// targets are results.
RolloutReport roll_out(const std::vector<RolloutTarget>& targets, const desired::Rollout& policy);

// "Rollout: 3 deployed, 1 unchanged, 1 failed, 2 not attempted" and a line per target that did
// not deploy cleanly, for the apply summary.
std::string rollout_summary(const RolloutReport& report);

}  // namespace certgate::apply
