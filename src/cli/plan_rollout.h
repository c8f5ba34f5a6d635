// The deploy half of apply: each target's file and reload actions of the plan, with the bytes the
// plan decided (PlanRun::wants, resolved after apply_pki), as apply::roll_out carries them out.
#pragma once

#include <vector>

#include "apply/rollout.h"
#include "base/time.h"
#include "cli/pipeline.h"

namespace certgate::cli {

// The targets in rollout order (the file's [[host]] order, hosts that could not be reached
// last: they fail without being tried, and must not take the canary's place or stop a
// revocation from reaching the others); pull hosts are not among them (cli/pull_hosts.h). A target
// the plan changes gets DIR/.certgate-manifest.json too, naming the source, `now` and the sha256 of
// every file it holds (observed/manifest.h). Errc::invalid, before any target is touched, when a
// crl.pem the plan deploys is not one nginx should be given (apply/deploy.h check_crl_deployable),
// or a file's bytes are still unknown.
Result<std::vector<apply::RolloutTarget>> rollout_targets(const PlanRun& run, base::Instant now);

}  // namespace certgate::cli
