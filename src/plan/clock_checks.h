// Clock checks: a CA host whose clock jumped signs certificates and CRLs that are not yet valid
// once the clock is right again, and nginx then turns everyone away. compute_plan calls these
// with its `now`; PURE.
//
//  - `now` before the last apply's time or before the CRL's thisUpdate: the clock went back, or
//    an earlier run had it ahead. Refused (the planner cannot tell which clock was wrong) unless
//    PlanOptions::allow_clock_rewind; the CRL is still signed again (crl_due_to_clock), since
//    nginx rejects a CRL whose thisUpdate is in the future.
//  - notes: certificates and the CA not valid yet, and `now` far past the last apply.
#pragma once

#include <string>

#include "desired/desired_state.h"
#include "observed/observed_state.h"
#include "plan/plan.h"

namespace certgate::plan {

// Why `now` cannot be trusted against what earlier runs wrote, or "" when it can.
std::string clock_refusal(const observed::ObservedState& observed, base::Instant now);

// Why the CRL must be signed again because of the clock ("thisUpdate ... is in the future"),
// or "".
std::string crl_due_to_clock(const observed::ObservedState& observed, base::Instant now);

// Adds to plan.notes: live certificates not valid before a future instant (naming the devices),
// a CA certificate not valid yet, and a gap since the last apply past desired.ca.crl_validity
// (30 days by default): an agent re-signs the CRL at least every crl_validity -
// crl_refresh_before, so a longer gap means either no apply ran for longer than a CRL lives
// (nginx has been refusing everyone) or the clock jumped ahead.
void note_clock(const desired::DesiredState& desired, const observed::ObservedState& observed,
                base::Instant now, Plan& plan);

}  // namespace certgate::plan
