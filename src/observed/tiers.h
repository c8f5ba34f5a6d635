// A two-tier CA ([ca] mode = "intermediate"): the public files the source holds (the root's
// certificate and CRL, the intermediate the root signed), checked against each other and against
// what the state holds, so that the planner only compares plain facts.
#pragma once

#include <string>

#include "base/time.h"
#include "desired/desired_state.h"
#include "observed/observed_state.h"

namespace certgate::observed {

// The source's tiers: whether its intermediate_cert can be installed now (it is a CA signed by
// the source's root, for the key of STATE/ca/intermediate.csr or, in a rollover, of
// STATE/ca-next/intermediate.csr, valid at `now`, not revoked by the root's CRL) or is installed
// already, and whether the source's root CRL can be deployed (signed by the installed root, or
// the source's before there is one; nextUpdate ahead). Empty unless `ca` is in mode =
// "intermediate", apart from the issuer DNs of the CAs `o` holds.
SourceTiers observe_tiers(const desired::CaSpec& ca, const ObservedState& o, base::Instant now);

}  // namespace certgate::observed
