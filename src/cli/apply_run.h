// The body of `certgate apply`, shared with `certgate sync` (and the agent's ticks): load,
// observe, plan, check, carry out, deploy, record, check the gates. Returns the exit code.
#pragma once

#include <string>

#include "cli/global_options.h"

namespace certgate::cli {

struct ApplyFlags {
  std::string plan_file;  // apply PLAN; empty: plan now
  bool allow_mass_revoke = false;
  // A git source whose commit does not descend from the last applied one (a force-push, a
  // rewind to an old device list) is refused unless this is set.
  bool allow_rewind = false;
};

int run_apply(const GlobalOptions& g, const ApplyFlags& flags);

}  // namespace certgate::cli
