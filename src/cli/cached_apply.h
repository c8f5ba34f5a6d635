// apply and sync with nothing to do, answered from the run cache (cli/run_cache.h): the agent's
// tick on an unchanged commit. A hit prints the same "No changes", records the apply in
// state.json as the full run would (only applied_at moves), and fills the outcome the metrics
// and the agent's wake-up need; everything else is what the cached run found.
#pragma once

#include <string>

#include "base/time.h"
#include "cli/apply_run.h"
#include "cli/global_options.h"
#include "cli/pipeline.h"
#include "sys/filesystem.h"
#include "sys/recording_filesystem.h"

namespace certgate::cli {

// The cache key of an apply without a saved plan: the command's flags with the global ones;
// empty (no cache) for `apply PLAN`.
std::string apply_key(const GlobalOptions& g, const ApplyFlags& flags);

// True when the cache answered this apply (printed, recorded, `out` filled): the caller holds
// the state lock and has recovered any interrupted apply. False: run it in full.
bool apply_from_cache(const GlobalOptions& g, const ApplyFlags& flags, const std::string& key,
                      base::Instant now, sys::Filesystem& fs, ApplyOutcome& out);

// After a full apply that changed nothing and succeeded: keeps its answer (`printed`, what it
// printed) when it may be kept. `trace` is of the whole run, the state.json it wrote included.
void keep_apply(const GlobalOptions& g, const PlanRun& run, const sys::Trace& trace,
                const std::string& key, base::Instant now, std::string printed, bool warned,
                sys::Filesystem& fs);

}  // namespace certgate::cli
