// Why a plan must not be applied as it is: the mass-revocation guard and a clock that went back
// (plan/clock_checks.h). PURE.
#pragma once

#include <string>

#include "plan/plan.h"
#include "plan/planner.h"

namespace certgate::plan {

// The mass-revocation guard (DESIGN.md section 1), "" when it does not fire.
std::string mass_revocation(const Plan& plan);

// The plan's refusal: the guards that fire and are not allowed by `options`; `clock` is the
// clock refusal ("" when there is none).
std::string refusal(const Plan& plan, const PlanOptions& options, const std::string& clock);

}  // namespace certgate::plan
