// What apply checks once nginx has been reloaded: that new connections meet the files just
// deployed (apply/reload_wait.h), then that every probed site's gate holds (apply/gate_check.h).
#pragma once

#include <string>

#include "apply/rollout.h"
#include "cli/pipeline.h"
#include "sys/filesystem.h"

namespace certgate::cli {

// Waits until each probed site on the reloaded targets serves the deployed generation (and on the
// failed ones, the restored files' generation: they may have been reloaded again), then checks
// the reloaded sites' gates as `certgate verify` does (retrying for a few seconds). Prints the
// checks; an open door or a configuration nginx did not take up is an error on stderr and returns
// false. The files are not rolled back then: they are right, the server{} around them is not.
bool gates_closed_after_reload(const PlanRun& run, const apply::RolloutReport& rollout,
                               sys::Filesystem& fs, const std::string& state, base::Instant now);

}  // namespace certgate::cli
