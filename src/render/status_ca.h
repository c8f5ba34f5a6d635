// The CA's lines of `certgate status` and its "ca", "crl" and "root_crl" in --json: the issuing
// CA, its CRL, a rollover's next intermediate and outgoing CA, and a two-tier CA's root CRL.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "base/time.h"
#include "observed/observed_state.h"

namespace certgate::render {

std::string ca_status_text(const observed::ObservedState& observed, base::Instant now);
void ca_status_json(const observed::ObservedState& observed, nlohmann::ordered_json& j);

}  // namespace certgate::render
