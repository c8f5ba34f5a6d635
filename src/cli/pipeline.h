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
#include "plan/plan.h"
#include "plan/planner.h"
#include "sys/command_runner.h"
#include "sys/filesystem.h"
#include "targets/target.h"

namespace certgate::cli {

// A target certgate deploys nginx files to, with its effective [nginx] settings and sites.
struct DeployTarget {
  std::unique_ptr<targets::Target> target;
  desired::NginxSpec nginx;
  std::vector<std::string> sites;
};

struct PlanRun {
  Loaded loaded;
  observed::ObservedState observed;
  plan::Plan plan;
  std::vector<DeployTarget> targets;
  std::string generated_from;  // what the generated files' header names: "git 1a2b3c4..."
};

// Loads, observes and plans, printing why on stderr when it cannot (nullopt). Targets use `fs`
// and `runner` (this machine); they must outlive the result.
std::optional<PlanRun> run_pipeline(const GlobalOptions& g, base::Instant now, sys::Filesystem& fs,
                                    sys::CommandRunner& runner, const plan::PlanOptions& options);

}  // namespace certgate::cli
