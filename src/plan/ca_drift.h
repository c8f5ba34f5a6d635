// The CA in the state against [ca]. Another key type or common name makes a rollover
// (plan/rollover.h) when none is under way; what is not acted on (the validity, the mode, a
// difference during a rollover) must not be ignored in silence either (a plan saying "the CA
// matches" when it does not). compute_plan adds the differences as a note with what to do; the plan
// text's "No changes" line then does not claim the CA matches. PURE.
#pragma once

#include <string>
#include <vector>

#include "desired/desired_state.h"
#include "observed/observed_state.h"

namespace certgate::plan {

// Each way `have` (the CA certificate in the state) differs from `want`: its common name, its key
// type, its validity (notAfter - notBefore, less the backdate certgate gives a CA it makes,
// compared to within a day, so a CA made by `openssl req -days N` matches N days). Empty when it
// matches or there is no CA yet.
std::vector<std::string> ca_differences(const desired::CaSpec& want, const observed::Ca& have);

// The plan note for `differences` (REQUIRES: not empty).
std::string ca_drift_note(const std::vector<std::string>& differences);

}  // namespace certgate::plan
