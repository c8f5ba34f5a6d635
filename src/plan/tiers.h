// The plan's part for a two-tier CA ([ca] mode = "intermediate"): make the intermediate's key and
// CSR, wait for the offline root to sign it, install what the root signed, deploy the root's
// newer CRLs, and warn well before the root's CRL runs out (only the offline machine can refresh
// it, and nginx refuses every device once it has). PURE, like the planner.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "desired/desired_state.h"
#include "observed/observed_state.h"
#include "plan/plan.h"

namespace certgate::plan {

// The root's CRL is warned about this long before its nextUpdate (it lives about a year).
inline constexpr std::chrono::seconds kRootCrlWarnBefore{30 * 86400};

struct TierPlan {
  std::optional<Action> ca;        // the intermediate's key and CSR, or its installation
  bool can_sign = true;            // devices can be signed in this plan
  std::optional<Action> root_crl;  // deploy the source's newer root CRL (kind crl, object ca)
  std::vector<std::string> notes;
  std::vector<std::string> warnings;
};

// Empty (can_sign true, nothing else) unless [ca] mode = "intermediate".
TierPlan plan_tiers(const desired::DesiredState& desired, const observed::ObservedState& observed,
                    base::Instant now);

// There is a CA once `plan` has run (a two-tier CA's is installed, not only requested): no nginx
// file is deployed before, as none could verify a device.
bool has_ca_after(const desired::DesiredState& desired, const observed::ObservedState& observed,
                  const Plan& plan);

// The CA certificates nginx is given change with `plan` (a new CA, an intermediate installed, a
// root adopted by a CA taken over without it): their bytes are known after apply only.
bool ca_pem_changes(const observed::ObservedState& observed, const Plan& plan);

// The subject of the root-CRL action.
inline constexpr const char* kRootCrlSubject = "root-crl";

}  // namespace certgate::plan
