#include "plan/refusal.h"

namespace certgate::plan {

// The mass-revocation guard (DESIGN.md section 1: a change "that would revoke most devices at
// once"), absolute and relative: more device revocations than [safety].max_revocations, or more
// than half of the devices that hold a live certificate now. One revocation is never mass, so a
// setup of one or two devices can still lose one.
std::string mass_revocation(const Plan& plan) {
  const std::string what = "this plan revokes or replaces the certificates of " +
                           std::to_string(plan.revocations) + " devices";
  if (plan.revocations > plan.max_revocations)
    return what + ", more than [safety].max_revocations = " + std::to_string(plan.max_revocations);
  if (plan.revocations >= 2 && plan.revocations * 2 > plan.live_devices)
    return what + " of the " + std::to_string(plan.live_devices) +
           " that hold a live certificate, more than half of them";
  return "";
}

std::string refusal(const Plan& plan, const PlanOptions& options, const std::string& clock) {
  std::string out;
  if (!options.allow_mass_revoke) {
    if (std::string why = mass_revocation(plan); !why.empty())
      out = why + "; check the desired state, or apply with --allow-mass-revoke";
  }
  if (!options.allow_clock_rewind && !clock.empty()) out += (out.empty() ? "" : "; and ") + clock;
  return out;
}

}  // namespace certgate::plan
