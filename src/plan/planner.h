// compute_plan: the one place where certgate decides what to do. PURE: no I/O, no clock, no
// environment, no randomness, no logging; `now` is an argument, which is all `--now` needs.
// Serials and keys are chosen later, in apply/.
#pragma once

#include "desired/desired_state.h"
#include "observed/observed_state.h"
#include "plan/plan.h"

namespace certgate::plan {

struct PlanOptions {
  bool allow_mass_revoke = false;   // past both mass-revocation rules
  bool allow_clock_rewind = false;  // past the clock refusal (clock_checks.h)
};

// Rules (DESIGN.md sections 1 and 3), in apply order:
//  - issue the CA when there is none;
//  - per device: revoke its live certificates when it says `revoked = "reason"` or its
//    `not_after` has passed; issue when it has no live certificate; renew when its certificate
//    ends within renew_before (unless not_after forbids a longer one), or its key type, owner or
//    CSR no longer match; revoke (superseded) older live certificates left by a renewal;
//  - revoke (cessationOfOperation) live certificates of devices no longer in the file;
//  - crl when anything is revoked, the CRL is missing, unsigned by the CA, does not list the
//    revoked certificates, or its nextUpdate is nearer than crl_refresh_before.
// `refusal` is set, unless allowed, by more device revocations than [safety].max_revocations
// or than half of the devices holding a live certificate (two at least), and by a clock that
// reads before the last apply or the CRL's thisUpdate (clock_checks.h). Access changes come
// from plan_access (access.h).
Plan compute_plan(const desired::DesiredState& desired, const observed::ObservedState& observed,
                  const PlanInputs& inputs, const PlanOptions& options, base::Instant now);

// The number the next CRL this CA signs must carry: above every number used so far (RFC 5280
// 5.2.3: CRL numbers increase, and none is given to two CRLs). The planner's crl action carries
// it, and so does the CRL refresh of a refused apply (cli/crl_guard.h).
long next_crl_number(const observed::ObservedState& observed);

}  // namespace certgate::plan
