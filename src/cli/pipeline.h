// The pipeline as plan and apply run it: load the desired state, observe the state directory,
// compute the plan with its input fingerprints. Shared by cmd_plan.cc and cmd_apply.cc.
#pragma once

#include <optional>
#include <string>

#include "cli/load.h"
#include "observed/observed_state.h"
#include "plan/plan.h"
#include "plan/planner.h"
#include "sys/filesystem.h"

namespace certgate::cli {

struct PlanRun {
  Loaded loaded;
  observed::ObservedState observed;
  plan::Plan plan;
};

// The state directory as an absolute path (openssl.cnf names it, and plans record it).
std::string absolute_state_dir(const GlobalOptions& g);

// Loads, observes and plans, printing why on stderr when it cannot (nullopt).
std::optional<PlanRun> run_pipeline(const GlobalOptions& g, base::Instant now, sys::Filesystem& fs,
                                    const plan::PlanOptions& options);

}  // namespace certgate::cli
