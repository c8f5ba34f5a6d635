// The certificate cache (pki/cert_cache.h) an apply leaves: the details of the certificates it
// issued, and of those it found that still matter.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "base/pki_types.h"
#include "observed/observed_state.h"
#include "pki/cert_cache.h"

namespace certgate::apply {

// The cache to write after an apply that issued `issued` and revoked `revoked` (serial ->
// reason), or nullopt when it would gain no entry. Entries of certificates revoked since stay
// until then: they are never read (serials are not reused), and a revocation in a 10,000-device
// state should not rewrite a megabyte. Kept: valid certificates (of both CAs during a rollover),
// and those whose key was revoked as compromised (the planner refuses to sign such a key again).
std::optional<pki::CertCache> updated_cert_cache(
    const observed::ObservedState& observed, const pki::CertCache& issued,
    const std::map<std::string, base::RevocationReason>& revoked);

}  // namespace certgate::apply
