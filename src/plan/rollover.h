// The CA's rollover ([ca] rollover_before): when the issuing CA is that close to its end, or [ca]
// asks for another key type or common name, the next CA is made and moved into STATE/ca, the old
// one into STATE/ca-previous (pki/ca_generations.h). nginx then trusts both, every device gets a
// successor from the new CA at once, and its old certificate stays valid until its own end, as
// after a renewal for expiry: no device loses the door at any step. The old CA's CRL is signed
// while it has live certificates; once none remain it is retired (its key destroyed) and leaves
// the nginx files. PURE, like the planner.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "desired/desired_state.h"
#include "observed/observed_state.h"
#include "plan/plan.h"

namespace certgate::plan {

// The subjects of the rollover's actions.
inline constexpr const char* kNextCaSubject = "next-ca";  // issue, on the CA
// Two tiers: the next intermediate's key and CSR in STATE/ca-next, for the root to sign; its
// kNextCaSubject action installs what the root signed and moves it into STATE/ca.
inline constexpr const char* kNextCaRequestSubject = "next-ca-request";  // issue, on the CA
inline constexpr const char* kPreviousCaSubject = "previous-ca";         // retire, on the CA
inline constexpr const char* kPreviousCrlSubject = "crl-previous";       // crl, on the CRL

struct RolloverPlan {
  std::optional<Action> start;              // make (or install) the next CA and move it in
  std::optional<Action> request;            // two tiers: the next intermediate's key and CSR
  std::optional<Action> retire;             // retire the outgoing CA
  std::optional<base::Instant> new_ca_end;  // with `start`: the new CA's notAfter
  std::vector<std::string> notes;
  std::vector<std::string> warnings;
};

// Empty before there is a CA. A two-tier CA's next intermediate is requested (its CSR), waited
// for while the root signs it, then installed: from then on as for a one-tier CA.
RolloverPlan plan_rollover(const desired::DesiredState& desired,
                           const observed::ObservedState& observed, base::Instant now);

// Why the issuing CA must be replaced now ("" when it need not be): its end is within
// rollover_before, or [ca] names another key type or common name.
std::string rollover_reason(const desired::CaSpec& want, const observed::Ca& have,
                            base::Instant now);

// The crl action on the outgoing CA's CRL `crl`: number `number`, nextUpdate `next_update`.
Action previous_crl(const observed::Crl& crl, long number, base::Instant next_update,
                    std::string why);

// The notes on the CA's end: expired (`expired`: nothing can be signed), or within
// `renew_before` without a rollover (certificates cannot be renewed past it).
void note_ca_end(const observed::Ca& ca, std::chrono::seconds renew_before, bool expired,
                 bool rolls_over, base::Instant now, std::vector<std::string>& notes);

// The subject serialNumber of the intermediate after `ca`: its generation plus one ("2" after
// one without).
std::string next_generation(const observed::Ca& ca);

// The issuer DNs the gates accept once `plan` ran (none: they do not check the issuer): the
// intermediate's, and during a two-tier rollover both intermediates', the new one's first.
std::vector<std::string> gate_issuer_dns(const observed::SourceTiers& tiers, const Plan& plan);

bool starts_rollover(const Plan& plan);
bool requests_next_intermediate(const Plan& plan);
bool retires_previous_ca(const Plan& plan);
// The crl action on the outgoing CA's CRL, or nullptr.
const Action* previous_crl_action(const Plan& plan);

}  // namespace certgate::plan
