// Running the live gate checks of apply/gate_check.h for a list of sites and printing their
// results: shared by `certgate verify` and by apply, which checks each probed site after a
// reload (an open door then fails the apply).
#pragma once

#include <string>
#include <vector>

#include "apply/gate_check.h"
#include "base/result.h"
#include "desired/desired_state.h"
#include "sys/filesystem.h"

namespace certgate::cli {

// Checks each of `sites` (which must have a probe). `now` judges [site.fallback] windows; the
// throwaway foreign certificate is dated by the real clock. Fails only when that certificate
// cannot be made.
Result<std::vector<apply::GateReport>> check_gates(sys::Filesystem& fs,
                                                   const desired::DesiredState& state,
                                                   const std::vector<const desired::Site*>& sites,
                                                   const std::string& state_dir, base::Instant now,
                                                   const apply::GateCheckOptions& options);

// "refused (403)", "OPEN DOOR (HTTP 200)", ... with "[N tries]" when retried.
std::string verdict_text(const apply::GateCheck& c);

// Per site: its URL line and one line per check.
std::string gate_reports_text(const std::vector<apply::GateReport>& reports);

// The closing lines: one per door not known to be closed, or "All doors closed.".
std::string gate_summary(const std::vector<apply::GateReport>& reports);

}  // namespace certgate::cli
