// One `certgate apply` in miniature over a test filesystem, for the apply tests and the crash
// tests: as cli/cmd_apply.cc runs it, recover(), observe, plan, apply_pki(), the rollout to the
// local target (nginx -t and reload by a FakeRunner) and state.json. No clock, no network.
#pragma once

#include <string>

#include "apply/pki_apply.h"
#include "apply/rollout.h"
#include "base/result.h"
#include "base/time.h"
#include "desired/desired_state.h"
#include "sys/command_runner.h"
#include "sys/filesystem.h"

namespace certgate::testing {

inline const std::string kStateDir = "/state";

// A desired state with CA "Test CA" and `devices` devices dev-100, dev-101... (owner
// NAME@example.com, [defaults] key and validity).
desired::DesiredState desired_with_devices(int devices);

// observe, compute_plan and apply_pki on `fs` at `now` (2 threads), without recover().
Result<apply::ApplyReport> apply_pki_once(sys::Filesystem& fs, const desired::DesiredState& desired,
                                          base::Instant now);

struct ApplyRun {
  apply::ApplyReport pki;
  apply::RolloutReport rollout;
};

// The whole apply as cli/cmd_apply.cc runs it: recover(), observe, plan_run (the plan with its
// file actions), apply_pki, resolve_wants, the rollout of every site to the local target
// ([nginx] of `desired`, commands through `runner`), then state.json. Stops at the first error.
Result<ApplyRun> apply_once(sys::Filesystem& fs, sys::CommandRunner& runner,
                            const desired::DesiredState& desired, base::Instant now);

}  // namespace certgate::testing
