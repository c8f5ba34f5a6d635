// What a plan was computed from (plan::PlanInputs): the source, the state's database files and
// each target's deployed files, by sha256; apply PLAN refuses a plan whose inputs changed.
#pragma once

#include "cli/load.h"
#include "observed/observed_state.h"
#include "plan/plan.h"

namespace certgate::cli {

plan::PlanInputs plan_inputs(const Loaded& loaded, const observed::ObservedState& observed);

}  // namespace certgate::cli
