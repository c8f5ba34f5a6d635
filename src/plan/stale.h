// Whether a saved plan (`plan --out`, read back by render::parse_plan) is still the plan apply
// would carry out now, as Terraform refuses a stale saved plan: the reviewer approved exactly
// that one. PURE.
#pragma once

#include <string>

#include "plan/plan.h"

namespace certgate::plan {

// Why `saved` is not `fresh` (computed now from the same options), or "" when it still is. It
// compares what the plan was computed from (every input fingerprint, the source, the state
// directory) and everything a reviewer read: each action whole (kind, object, target, subject,
// serial, revocation reason, detail, reason, before, after, revokes_predecessor), who gains and
// loses each door (with why), the warnings and the refusal. Not compared: the evaluation time,
// notes (which may count seconds since something), and a renewal's `after` when the old
// certificate stays until an instant taken from the evaluation time (its date is in the
// detail, which is compared).
std::string stale_reason(const Plan& saved, const Plan& fresh);

}  // namespace certgate::plan
